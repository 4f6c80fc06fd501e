import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PUBLIC_ROUTE } from '@puente/platform';
import { REQUIRED_SCOPES } from './decorators';
import { KeySourceUnavailableError } from './jwks';
import { missingScopes, setPrincipal } from './principal';
import { insufficientScopeProblem, invalidTokenProblem, keySourceUnavailableProblem } from './problems';
import { TokenRejectedError, TokenVerifier } from './verifier';

/** Reasons that hint at forgery attempts rather than ordinary expiry or misconfiguration. */
const SUSPICIOUS = new Set(['algorithm-not-allowed', 'invalid-signature', 'dev-key-refused']);

interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Global guard (registered by AuthModule as APP_GUARD): every Nest route needs a valid
 * bearer token unless it is marked @PublicRoute(); then @RequireScopes is enforced. Routes
 * Fastify serves itself (Swagger UI and JSON under /docs) never reach Nest guards.
 * Non-HTTP execution contexts are refused (fail closed).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('AuthGuard');

  constructor(
    private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets) === true) return true;

    const request = context.switchToHttp().getRequest<HttpRequest>();
    let principal;
    try {
      principal = await this.verifier.verifyAuthorization(request.headers.authorization);
    } catch (error) {
      if (error instanceof TokenRejectedError) {
        const level = SUSPICIOUS.has(error.reason) ? 'warn' : 'debug';
        this.logger[level]({ reason: error.reason }, 'Bearer token rejected');
        throw invalidTokenProblem(error.reason, error.detail);
      }
      if (error instanceof KeySourceUnavailableError) {
        this.logger.error({ keySource: this.verifier.keySource, error: error.message }, 'Token signing keys unavailable');
        throw keySourceUnavailableProblem();
      }
      throw error;
    }
    setPrincipal(request, principal);

    const required = [...new Set(this.reflector.getAllAndMerge<string[]>(REQUIRED_SCOPES, targets) ?? [])];
    const missing = missingScopes(principal, required);
    if (missing.length > 0) throw insufficientScopeProblem(required, missing);
    return true;
  }
}
