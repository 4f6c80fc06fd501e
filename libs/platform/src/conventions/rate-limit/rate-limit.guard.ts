import { type ExecutionContext, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { HealthController } from '../../health/health.controller';
import { ProblemException } from '../../http/problem';
import { MetricsController } from '../../observability/metrics';
import { principalClientId } from '../principal';
import { ConventionProblemTypes } from '../problem-types';

/**
 * @nestjs/throttler guard with Puente's rules: one counter per client for the whole service
 * (the principal's `clientId`, or the IP address when there is no principal), health and
 * metrics never limited, and 429 answered as problem+json with `Retry-After`.
 * It runs as RequestAdmission, the last step of the service's global guard (after the auth guard
 * has attached the principal).
 */
@Injectable()
export class PlatformThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const controller = context.getClass();
    return controller === HealthController || controller === MetricsController;
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const clientId = principalClientId(req as unknown as FastifyRequest);
    return clientId === undefined ? `ip:${await super.getTracker(req)}` : `client:${clientId}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return createHash('sha256').update(`${throttlerName}\u0000${tracker}`).digest('hex');
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    throw new ProblemException(
      429,
      ConventionProblemTypes.TOO_MANY_REQUESTS,
      'Too many requests',
      `This client exceeded its limit of ${detail.limit} requests per ${Math.round(detail.ttl / 1000)} s. Retry after ${retryAfter} s.`,
      {},
      { headers: { 'Retry-After': String(retryAfter) } },
    );
  }
}
