import { ConfigValidationError } from '../../config/load-config';

/** Environment variable: requests per minute per client; `0` disables rate limiting. */
export const RATE_LIMIT_ENV = 'RATE_LIMIT_PER_MINUTE';
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
const MAX_RATE_LIMIT_PER_MINUTE = 1_000_000;
/** Injection token of the resolved RateLimitSettings. */
export const RATE_LIMIT_SETTINGS = 'puente:RATE_LIMIT_SETTINGS';

export interface RateLimitOptions {
  /** The service's default requests per minute per client (RATE_LIMIT_PER_MINUTE overrides it); 0 disables. */
  perMinute?: number;
}

export interface RateLimitSettings {
  enabled: boolean;
  /** Requests allowed per client and window. */
  limit: number;
  /** Window length in milliseconds (one minute). */
  ttlMs: number;
}

function valid(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_RATE_LIMIT_PER_MINUTE;
}

/**
 * Rate limit of a service: RATE_LIMIT_PER_MINUTE when set, else `options.perMinute`, else 600.
 * Throws ConfigValidationError for an environment value that is not an integer from 0 to 1000000
 * (RangeError for such an option).
 */
export function resolveRateLimitSettings(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
  options: RateLimitOptions = {},
): RateLimitSettings {
  const message = `${RATE_LIMIT_ENV} must be an integer between 0 (no limit) and ${MAX_RATE_LIMIT_PER_MINUTE}`;
  let perMinute = options.perMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  if (!valid(perMinute)) throw new RangeError(`rateLimit.perMinute must be an integer between 0 and ${MAX_RATE_LIMIT_PER_MINUTE}`);
  const raw = env[RATE_LIMIT_ENV];
  if (raw !== undefined && raw.trim() !== '') {
    const value = raw.trim();
    if (!/^\d{1,7}$/.test(value) || !valid(Number(value))) {
      throw new ConfigValidationError(service, [{ variable: RATE_LIMIT_ENV, messages: [message] }]);
    }
    perMinute = Number(value);
  }
  return { enabled: perMinute > 0, limit: Math.max(perMinute, 1), ttlMs: 60_000 };
}
