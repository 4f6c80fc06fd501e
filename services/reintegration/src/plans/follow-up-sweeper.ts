import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { serializeError } from '@puente/platform';
import { Clock } from '../common/clock';
import { ReintegrationConfig } from '../config/reintegration.config';
import { PlansService } from './plans.service';

/**
 * The scheduled overdue sweep: every FOLLOW_UP_SWEEP_INTERVAL_MS, follow-ups past their due date
 * and grace period become overdue (FollowUpOverdue, once each). `sweep(now)` takes the time from
 * the caller, so tests move a clock of their own instead of waiting.
 */
@Injectable()
export class FollowUpSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FollowUpSweeper');
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly plans: PlansService,
    private readonly config: ReintegrationConfig,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.FOLLOW_UP_SWEEP_INTERVAL_MS > 0) this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep(this.clock.now())
        .catch((error: unknown) => this.logger.error({ err: serializeError(error) }, 'follow-up sweep failed'))
        .finally(() => this.schedule());
    }, this.config.FOLLOW_UP_SWEEP_INTERVAL_MS);
  }

  /** Marks every follow-up overdue at `now`; returns how many. */
  async sweep(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.plans.sweepOverdue(now);
      total += n;
      if (n === 0) break;
    }
    if (total > 0) this.logger.log({ overdue: total }, 'follow-ups overdue');
    return total;
  }
}
