import { type DynamicModule, Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ConfigValidationError } from '@puente/platform';
import { AuthGuard } from './auth.guard';
import { type AuthConfig, loadAuthConfig } from './config';
import { TokenVerifier } from './verifier';

/** Injection token of the validated AuthConfig. */
export const AUTH_CONFIG = 'puente:AUTH_CONFIG';

export interface AuthModuleOptions {
  /** Service name in kebab-case (same as PlatformModule.forRoot); the default audience is `puente:<service>`. */
  service: string;
  /** Where AUTH_* and NODE_ENV are read (default process.env); tests pass their own. */
  env?: NodeJS.ProcessEnv;
}

@Module({})
export class AuthModule implements OnModuleInit {
  private readonly logger = new Logger('AuthModule');

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
  ) {}

  /**
   * Token verification for a service: validated AUTH_* config, a TokenVerifier, and the
   * global AuthGuard (bearer token on every route except @PublicRoute(), @RequireScopes).
   */
  static forRoot(options: AuthModuleOptions): DynamicModule {
    const logger = new Logger('AuthModule');
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: AUTH_CONFIG, useFactory: () => loadAuthConfig(options.service, options.env ?? process.env) },
        {
          provide: TokenVerifier,
          inject: [AUTH_CONFIG],
          useFactory: (config: AuthConfig) =>
            new TokenVerifier(config, {
              onKeyLoadError: (error) => logger.warn({ error: error.message }, 'JWKS reload failed; keeping the previous keys'),
            }),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [AUTH_CONFIG, TokenVerifier],
    };
  }

  /** Loads a JWKS file at startup: an explicit AUTH_JWKS_FILE must be readable; the dev JWKS may appear later. */
  async onModuleInit(): Promise<void> {
    const { loaded, error, keyIds } = await this.verifier.preload();
    const source = this.config.jwks;
    if (!loaded && source.kind === 'file' && !source.dev) {
      throw new ConfigValidationError(this.config.service, [
        { variable: 'AUTH_JWKS_FILE', messages: [`AUTH_JWKS_FILE: ${error?.message ?? 'cannot be loaded'}`] },
      ]);
    }
    if (!loaded) {
      this.logger.warn(
        `No dev JWKS at ${source.kind === 'file' ? source.path : ''} yet: create one with "npm run token -- --partner <id> --node <CC> --scopes <list>"; it is read on first use.`,
      );
      return;
    }
    this.logger.log(
      { issuer: this.config.issuer, audience: this.config.audience, keys: keyIds.length || undefined },
      `Verifying bearer tokens against ${this.verifier.keySource}`,
    );
  }
}
