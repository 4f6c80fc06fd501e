import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ScheduledSweep, serializeError } from '@puente/platform';
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
  private readonly schedule: ScheduledSweep;

  constructor(
    private readonly plans: PlansService,
    config: ReintegrationConfig,
    clock: Clock,
  ) {
    this.schedule = new ScheduledSweep({
      intervalMs: config.FOLLOW_UP_SWEEP_INTERVAL_MS,
      clock: () => clock.now(),
      pass: (now) => this.sweep(now),
      onError: (error) => this.logger.error({ err: serializeError(error) }, 'follow-up sweep failed'),
    });
  }

  onApplicationBootstrap(): void {
    this.schedule.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.schedule.stop();
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
