import { type DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { ServiceConfig } from '../../config/service-config';
import { RATE_LIMIT_SETTINGS, type RateLimitOptions, type RateLimitSettings, resolveRateLimitSettings } from './rate-limit.config';
import { PlatformThrottlerGuard } from './rate-limit.guard';
import { RateLimitWindows } from './rate-limit-windows';
import { RateLimitedAdmission, RequestAdmission } from './request-admission';

@Module({})
class RateLimitSettingsModule {}

/** Per-client rate limiting for every route of the service (imported by PlatformModule). */
@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitOptions = {}): DynamicModule {
    resolveRateLimitSettings('', {}, options); // a bad perMinute throws here, at definition time
    const settings: DynamicModule = {
      module: RateLimitSettingsModule,
      providers: [
        {
          provide: RATE_LIMIT_SETTINGS,
          inject: [ServiceConfig],
          useFactory: (config: ServiceConfig) => resolveRateLimitSettings(config.serviceName, process.env, options),
        },
        { provide: RateLimitWindows, useFactory: () => new RateLimitWindows() },
      ],
      exports: [RATE_LIMIT_SETTINGS, RateLimitWindows],
    };
    return {
      module: RateLimitModule,
      global: true, // RequestAdmission reaches the auth guard's module
      imports: [
        settings,
        ThrottlerModule.forRootAsync({
          imports: [settings],
          inject: [RATE_LIMIT_SETTINGS, RateLimitWindows],
          useFactory: (s: RateLimitSettings, windows: RateLimitWindows): ThrottlerModuleOptions => ({
            throttlers: [{ name: 'default', ttl: s.ttlMs, limit: s.limit }],
            storage: windows,
          }),
        }),
      ],
      providers: [
        PlatformThrottlerGuard,
        {
          // Off (RATE_LIMIT_PER_MINUTE=0, e.g. behind a gateway that limits): nothing to admit.
          provide: RequestAdmission,
          inject: [PlatformThrottlerGuard, RATE_LIMIT_SETTINGS],
          useFactory: (throttler: PlatformThrottlerGuard, s: RateLimitSettings) => (s.enabled ? new RateLimitedAdmission(throttler) : null),
        },
      ],
      exports: [PlatformThrottlerGuard, RequestAdmission, settings],
    };
  }
}
