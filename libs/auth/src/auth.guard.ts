import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessDenials, METRICS_REGISTRY, PUBLIC_ROUTE, RequestAdmission } from '@puente/platform';
import { Counter, type Registry } from 'prom-client';
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
 * bearer token unless it is marked @PublicRoute(); then @RequireScopes is enforced, and last the
 * request is admitted (RequestAdmission: the per-client rate limit; refused requests do not count). Routes
 * Fastify serves itself (Swagger UI and JSON under /docs) never reach Nest guards.
 * Non-HTTP execution contexts are refused (fail closed).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('AuthGuard');
  private readonly rejections: Counter<'status' | 'reason'> | null;

  constructor(
    private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Optional() private readonly denials?: AccessDenials,
    @Optional() @Inject(METRICS_REGISTRY) registry?: Registry,
    @Optional() @Inject(RequestAdmission) private readonly admission?: RequestAdmission | null,
  ) {
    this.rejections = registry ? authRejectionsCounter(registry) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets) === true) {
      await this.admission?.admit(context);
      return true;
    }

    const request = context.switchToHttp().getRequest<HttpRequest>();
    let principal;
    try {
      principal = await this.verifier.verifyAuthorization(request.headers.authorization);
    } catch (error) {
      if (error instanceof TokenRejectedError) {
        this.rejections?.inc({ status: '401', reason: error.reason });
        const level = SUSPICIOUS.has(error.reason) ? 'warn' : 'debug';
        this.logger[level]({ reason: error.reason }, 'Bearer token rejected');
        throw invalidTokenProblem(error.reason, error.detail);
      }
      if (error instanceof KeySourceUnavailableError) {
        this.rejections?.inc({ status: '503', reason: 'key-source-unavailable' });
        this.logger.error({ keySource: this.verifier.keySource, error: error.message }, 'Token signing keys unavailable');
        throw keySourceUnavailableProblem();
      }
      throw error;
    }
    setPrincipal(request, principal);

    const required = [...new Set(this.reflector.getAllAndMerge<string[]>(REQUIRED_SCOPES, targets) ?? [])];
    const missing = missingScopes(principal, required);
    if (missing.length > 0) {
      this.rejections?.inc({ status: '403', reason: 'insufficient-scope' });
      await this.recordDenial(context);
      throw insufficientScopeProblem(required, missing);
    }
    await this.admission?.admit(context);
    return true;
  }

  /** The caller still gets its 403 if the record cannot be written; the failure is logged. */
  private async recordDenial(context: ExecutionContext): Promise<void> {
    try {
      await this.denials?.refused(context, 'insufficient-scope');
    } catch (error) {
      this.logger.error({ err: { name: (error as Error)?.name, code: (error as { code?: unknown })?.code } }, 'access denial could not be recorded');
    }
  }
}

export const AUTH_REJECTIONS_METRIC = 'puente_auth_rejections_total';

/** One counter per registry (several guards may share an app's registry in tests). */
function authRejectionsCounter(registry: Registry): Counter<'status' | 'reason'> {
  const existing = registry.getSingleMetric(AUTH_REJECTIONS_METRIC);
  if (existing) return existing as Counter<'status' | 'reason'>;
  return new Counter({
    name: AUTH_REJECTIONS_METRIC,
    help: 'Requests refused by the auth guard, by HTTP status and reason (invalid-signature, expired, insufficient-scope, ...)',
    labelNames: ['status', 'reason'] as const,
    registers: [registry],
  });
}
