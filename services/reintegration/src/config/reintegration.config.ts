import { ServiceConfig } from '@puente/platform';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Reintegration's configuration: the platform's variables plus its scheduled sweeps. */
export class ReintegrationConfig extends ServiceConfig {
  /**
   * How often the follow-up sweep looks for overdue milestones (ms); 0 turns the schedule off
   * (tests call the sweep with their own clock instead).
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'FOLLOW_UP_SWEEP_INTERVAL_MS must be 0 or an integer between 1000 and 86400000' })
  @Min(0, { message: 'FOLLOW_UP_SWEEP_INTERVAL_MS must be 0 or an integer between 1000 and 86400000' })
  @Max(86_400_000, { message: 'FOLLOW_UP_SWEEP_INTERVAL_MS must be 0 or an integer between 1000 and 86400000' })
  FOLLOW_UP_SWEEP_INTERVAL_MS: number = 60 * 60 * 1000;
}
