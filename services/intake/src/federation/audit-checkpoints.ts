import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { auditHead, type ExchangeWriter, sendAuditCheckpoint } from '@puente/federation';
import { DataSource } from 'typeorm';
import { EXCHANGE_WRITER } from './federation.tokens';

/** Default interval between two audit checkpoints sent to peers. */
export const DEFAULT_AUDIT_CHECKPOINT_SECONDS = 3600;

/** AUDIT_CHECKPOINT_INTERVAL_SECONDS: whole seconds, 0 = never (a node that witnesses nothing). */
export function auditCheckpointInterval(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.AUDIT_CHECKPOINT_INTERVAL_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_AUDIT_CHECKPOINT_SECONDS;
  if (!/^[0-9]{1,7}$/.test(raw)) throw new RangeError('AUDIT_CHECKPOINT_INTERVAL_SECONDS must be a whole number of seconds (0 = never)');
  return Number(raw);
}

/**
 * Sends the head of intake's audit chain to every peer at a fixed interval (and once at start),
 * so that peers witness it (see libs/federation audit-witness). A failed round is logged and
 * the next one tries again.
 */
@Injectable()
export class AuditCheckpoints implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditCheckpoints');
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalSeconds = auditCheckpointInterval();
  private lastSent: string | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(EXCHANGE_WRITER) private readonly writer: ExchangeWriter,
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalSeconds === 0) return;
    const tick = () => {
      // An unchanged head is not sent again (peers already hold it).
      this.sendNow({ ifChanged: true }).catch((error: Error) => this.logger.warn(`audit checkpoint not sent: ${error.name}`));
    };
    tick();
    this.timer = setInterval(tick, this.intervalSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Sends the current head now (on demand); null while the chain is empty or when `ifChanged` and it was sent already. */
  async sendNow({ ifChanged = false } = {}): Promise<{ seq: number; hash: string } | null> {
    if (ifChanged && this.lastSent && (await auditHead(this.dataSource))?.hash === this.lastSent) return null;
    const head = await this.dataSource.transaction((tx) => sendAuditCheckpoint(tx, this.writer, 'intake'));
    if (head) this.lastSent = head.hash;
    return head;
  }
}
