import type { FastifyRequest } from 'fastify';

/**
 * What the conventions read of the authenticated caller. The auth guard (libs/auth) attaches
 * `request.principal = { subject, clientId, partnerId, node, jurisdictions, scopes }`; the
 * platform reads it structurally so it does not depend on libs/auth.
 */
export interface PrincipalLike {
  subject?: unknown;
  clientId?: unknown;
  partnerId?: unknown;
}

/** The OAuth2 client id of the authenticated caller, or undefined when no principal is attached. */
export function principalClientId(request: FastifyRequest): string | undefined {
  const principal = (request as FastifyRequest & { principal?: PrincipalLike }).principal;
  const clientId = principal?.clientId;
  return typeof clientId === 'string' && clientId.length > 0 ? clientId : undefined;
}
