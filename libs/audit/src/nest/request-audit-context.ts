import { getRequestContext } from '@puente/platform';
import type { AuditActor } from '../audit-log';

/** A Fastify request (or raw Node request) on which the auth guard may have set `principal`. */
export type AuditableRequest = Parameters<typeof getRequestContext>[0];

/**
 * The caller from `request.principal` (set by the auth guard), read structurally: only the
 * subject, client id and partner id are recorded. Null when absent or not of that shape.
 */
export function auditActorOf(request: AuditableRequest): AuditActor | null {
  const principal = (request as { principal?: unknown }).principal;
  if (typeof principal !== 'object' || principal === null) return null;
  const { subject, clientId, partnerId } = principal as Partial<Record<keyof AuditActor, unknown>>;
  if (typeof subject !== 'string' || typeof clientId !== 'string' || typeof partnerId !== 'string') return null;
  return { subject, clientId, partnerId };
}

/**
 * Who and which request, for `AuditLog.append(tx, { ...auditContextOf(request), action, ... })`
 * inside a service's own transaction.
 */
export function auditContextOf(request: AuditableRequest): { actor: AuditActor | null; requestId: string; traceparent: string } {
  const context = getRequestContext(request);
  return { actor: auditActorOf(request), requestId: context.requestId, traceparent: context.trace.traceparent };
}
