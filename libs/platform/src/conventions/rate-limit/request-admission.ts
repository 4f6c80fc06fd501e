import type { ExecutionContext } from '@nestjs/common';
import type { PlatformThrottlerGuard } from './rate-limit.guard';

/**
 * What every request passes once its caller is known: the per-client rate limit. The service's
 * global guard calls `admit` as its last step, for public routes too (libs/auth's AuthGuard does;
 * a test app's own principal guard must as well). A guard step instead of an interceptor: a route
 * without interceptors skips Nest's interceptor chain, which cost a third of a one-row GET.
 * Not provided (null) when rate limiting is off.
 */
export abstract class RequestAdmission {
  /** Resolves when the request may go on; throws the 429 problem when its client is over the limit. */
  abstract admit(context: ExecutionContext): Promise<void>;
}

/** RequestAdmission by PlatformThrottlerGuard (counts, sets the X-RateLimit-* headers, answers 429). */
export class RateLimitedAdmission extends RequestAdmission {
  constructor(private readonly throttler: PlatformThrottlerGuard) {
    super();
  }

  async admit(context: ExecutionContext): Promise<void> {
    await this.throttler.canActivate(context);
  }
}
