import { ServiceTokenFileSetting, ServiceUrlSetting } from '@puente/auth';
import { ServiceConfig } from '@puente/platform';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Reception's configuration: the platform's variables plus how it reaches intake. */
export class ReceptionConfig extends ServiceConfig {
  /** Base URL of this node's intake service (manifest persons are registered or matched there). */
  @ServiceUrlSetting('INTAKE_URL')
  INTAKE_URL: string = 'http://127.0.0.1:3001';

  /**
   * File holding reception's access token for intake (scope manifests:register), written and
   * rotated by the node's token agent; read again before each call so a rotation needs no restart.
   */
  @ServiceTokenFileSetting('INTAKE_TOKEN_FILE')
  INTAKE_TOKEN_FILE?: string;

  /** Base URL of this node's referral routing (family-tracing requests are referrals there). */
  @ServiceUrlSetting('ROUTING_URL')
  ROUTING_URL: string = 'http://127.0.0.1:3003';

  /** File holding reception's access token for referral routing (scope referrals:write), read at each call. */
  @ServiceTokenFileSetting('ROUTING_TOKEN_FILE')
  ROUTING_TOKEN_FILE?: string;

  /** A 5,000-person manifest is about 1.5 MB of JSON: reception takes up to 4 MB per request. */
  override BODY_LIMIT_BYTES: number = 4 * 1024 * 1024;

  /** How often the pending-row worker retries rows intake has not matched yet (ms). */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'MANIFEST_RETRY_INTERVAL_MS must be an integer between 200 and 600000' })
  @Min(200, { message: 'MANIFEST_RETRY_INTERVAL_MS must be an integer between 200 and 600000' })
  @Max(600_000, { message: 'MANIFEST_RETRY_INTERVAL_MS must be an integer between 200 and 600000' })
  MANIFEST_RETRY_INTERVAL_MS: number = 5_000;
}
