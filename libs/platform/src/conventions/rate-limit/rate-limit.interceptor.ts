import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import { from, type Observable, switchMap } from 'rxjs';
import { RATE_LIMIT_SETTINGS, type RateLimitSettings } from './rate-limit.config';
import { PlatformThrottlerGuard } from './rate-limit.guard';

/**
 * Global interceptor that applies PlatformThrottlerGuard. Interceptors run after all guards, so
 * the principal set by the auth guard is always there to count per client.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly guard: PlatformThrottlerGuard,
    @Inject(RATE_LIMIT_SETTINGS) private readonly settings: RateLimitSettings,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.settings.enabled) return next.handle();
    return from(this.guard.canActivate(context)).pipe(switchMap(() => next.handle()));
  }
}
