import { Injectable, Logger } from '@nestjs/common';
import { ScheduledSweeper, serializeError } from '@puente/platform';
import { Clock } from '../common/clock';
import { ReintegrationConfig } from '../config/reintegration.config';
import { PlansService } from './plans.service';

/**
 * The scheduled overdue sweep: every FOLLOW_UP_SWEEP_INTERVAL_MS, follow-ups past their due date
 * and grace period become overdue (FollowUpOverdue, once each). `sweep(now)` takes the time from
 * the caller, so tests move a clock of their own instead of waiting.
 */
@Injectable()
export class FollowUpSweeper extends ScheduledSweeper {
  private readonly logger = new Logger('FollowUpSweeper');
  constructor(
    private readonly plans: PlansService,
    config: ReintegrationConfig,
    clock: Clock,
  ) {
    super(config.FOLLOW_UP_SWEEP_INTERVAL_MS, () => clock.now());
  }

  protected pass(now: Date): Promise<number> {
    return this.sweep(now);
  }

  protected passFailed(error: unknown): void {
    this.logger.error({ err: serializeError(error) }, 'follow-up sweep failed');
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
