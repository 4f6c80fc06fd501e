import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { getPrincipal, invalidTokenProblem, type Principal } from '@puente/auth';
import type { FastifyRequest } from 'fastify';
import type { AuditActor } from '../audit-log';
import { auditContextOf } from './request-audit-context';

/**
 * Who is calling and in which request: what a service needs to authorize, audit and trace a
 * change. The one Caller of every service (controllers take it with `@CurrentCaller()`).
 */
export interface Caller {
  principal: Principal;
  /** For AuditLog.append: subject, client and partner of the caller. */
  auditActor: AuditActor | null;
  requestId: string;
  /** W3C traceparent of this request; events continue it. */
  traceparent: string;
  /** The raw request, for ETag / If-Match checks. */
  request: FastifyRequest;
}

export function callerOf(request: FastifyRequest): Caller {
  const principal = getPrincipal(request);
  if (!principal) throw invalidTokenProblem('missing-token', 'A bearer token is required: send "Authorization: Bearer <access token>".');
  const { actor, requestId, traceparent } = auditContextOf(request);
  return { principal, auditActor: actor, requestId, traceparent, request };
}

/** `create(@CurrentCaller() caller: Caller)`: the authenticated caller and the request's ids. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => callerOf(context.switchToHttp().getRequest<FastifyRequest>()));
