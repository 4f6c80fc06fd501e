import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { IdempotencyStore } from './idempotency.store';

/** Expired Idempotency-Key records are deleted this often (and once shortly after start). */
export const IDEMPOTENCY_PRUNE_INTERVAL_MS = 15 * 60 * 1000;
const FIRST_PRUNE_DELAY_MS = 30 * 1000;

/**
 * Deletes expired idempotency records periodically. Does nothing in services whose database has
 * no idempotency_record table. Correctness does not depend on it: an expired record is never
 * replayed and is taken over by the next request with its key.
 */
@Injectable()
export class IdempotencyPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Idempotency');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly store: IdempotencyStore) {}

  onApplicationBootstrap(): void {
    this.schedule(FIRST_PRUNE_DELAY_MS);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pruneOnce().finally(() => {
        this.running = undefined;
      });
    }, delay);
    this.timer.unref();
  }

  /** One pruning pass; reschedules itself unless the table is absent or the app is closing. */
  async pruneOnce(): Promise<void> {
    try {
      if (!(await this.store.tableExists())) return;
      const pruned = await this.store.pruneExpired();
      if (pruned > 0) this.logger.log(`Pruned ${pruned} expired idempotency records`);
    } catch (error) {
      this.logger.warn(`Pruning idempotency records failed: ${(error as Error).message}`);
    }
    this.schedule(IDEMPOTENCY_PRUNE_INTERVAL_MS);
  }
}
