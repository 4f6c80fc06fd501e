import { ServiceTokenFileSetting, ServiceUrlSetting } from '@puente/auth';
import { ServiceConfig } from '@puente/platform';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Matches, Max, MaxLength, Min, registerDecorator } from 'class-validator';

/** Refuses `true` when NODE_ENV=production (development and test conveniences only). */
function NotInProduction(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'notInProduction',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown, args) => value !== true || (args?.object as ServiceConfig).NODE_ENV !== 'production',
        defaultMessage: () => `${String(propertyName)} must not be true when NODE_ENV=production`,
      },
    });
}

/** Reads the raw environment string (implicit conversion would make "false" true). */
const toBoolean = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const value = obj[key];
  return value === 'true' || value === '1' || value === true ? true : value === 'false' || value === '0' || value === '' || value === false || value === undefined ? false : value;
};
const HOST_LIST = /^\.?[a-z0-9-]+(\.[a-z0-9-]+)*(,\.?[a-z0-9-]+(\.[a-z0-9-]+)*)*$/;

function intRange(name: string, min: number, max: number): PropertyDecorator[] {
  const message = `${name} must be an integer between ${min} and ${max}`;
  return [Type(() => Number), IsInt({ message }), Min(min, { message }), Max(max, { message })];
}

function apply(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((d) => d(target, key));
}

/**
 * referral-routing's configuration: the platform's variables plus how partner webhooks are
 * delivered (timeouts, retries, per-partner concurrency), which addresses may be called, and how
 * intake is reached for the personal data a delivery may carry.
 */
export class ReferralRoutingConfig extends ServiceConfig {
  /** Deadline of one webhook attempt (DNS, connect, answer), in ms. */
  @apply(...intRange('WEBHOOK_TIMEOUT_MS', 100, 120_000))
  WEBHOOK_TIMEOUT_MS: number = 10_000;

  /** Attempts of one delivery, the first included, before it is marked failed (with an alert event). */
  @apply(...intRange('WEBHOOK_MAX_ATTEMPTS', 1, 50))
  WEBHOOK_MAX_ATTEMPTS: number = 12;

  /** Delay before the first retry, in ms; each next one is WEBHOOK_BACKOFF_MULTIPLIER times longer, with jitter. */
  @apply(...intRange('WEBHOOK_INITIAL_BACKOFF_MS', 10, 3_600_000))
  WEBHOOK_INITIAL_BACKOFF_MS: number = 10_000;

  /** Longest delay between two attempts, in ms. */
  @apply(...intRange('WEBHOOK_MAX_BACKOFF_MS', 10, 86_400_000))
  WEBHOOK_MAX_BACKOFF_MS: number = 3_600_000;

  @apply(...intRange('WEBHOOK_BACKOFF_MULTIPLIER', 1, 10))
  WEBHOOK_BACKOFF_MULTIPLIER: number = 3;

  /** Attempts in flight to one partner at a time (across replicas); other partners are never behind it. */
  @apply(...intRange('WEBHOOK_CONCURRENCY_PER_PARTNER', 1, 64))
  WEBHOOK_CONCURRENCY_PER_PARTNER: number = 4;

  /** How often the dispatcher and the SLA sweeper look for due work, in ms; 0 turns the loops off (tests drive them). */
  @apply(...intRange('REFERRAL_POLL_INTERVAL_MS', 0, 600_000))
  REFERRAL_POLL_INTERVAL_MS: number = 1_000;

  /** Allow http webhook URLs (development and tests; refused in production). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'WEBHOOK_ALLOW_HTTP must be true or false' })
  @NotInProduction()
  WEBHOOK_ALLOW_HTTP: boolean = false;

  /** Allow webhook URLs on loopback, private and link-local addresses (development and tests; refused in production). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'WEBHOOK_ALLOW_INTERNAL_ADDRESSES must be true or false' })
  @NotInProduction()
  WEBHOOK_ALLOW_INTERNAL_ADDRESSES: boolean = false;

  /** When set, the only hosts webhooks may go to: comma-separated, `.example.org` for a domain and its subdomains. */
  @IsOptional()
  @MaxLength(8192)
  @Matches(HOST_LIST, { message: 'WEBHOOK_ALLOWED_HOSTS must be a comma-separated list of lower-case host names (a leading dot allows subdomains)' })
  WEBHOOK_ALLOWED_HOSTS?: string;

  /** Base URL of this node's intake: the personal data a partner may receive is fetched there at delivery time. */
  @ServiceUrlSetting('INTAKE_URL')
  INTAKE_URL: string = 'http://127.0.0.1:3001';

  /**
   * File holding routing's access token for intake (scope persons:disclose), written and rotated
   * by the node's token agent. Unset: a notice whose agreement names personal data waits (retried).
   */
  @ServiceTokenFileSetting('INTAKE_TOKEN_FILE')
  INTAKE_TOKEN_FILE?: string;
}
