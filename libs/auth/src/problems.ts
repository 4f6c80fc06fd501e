import { ProblemException, ProblemTypes } from '@puente/platform';
import type { TokenRejectionReason } from './verifier';

/** Problem type slugs of the auth library (`https://puente.dev/problems/<slug>`). */
export const AuthProblemTypes = {
  /** 401: no usable token. */
  UNAUTHORIZED: ProblemTypes.UNAUTHORIZED,
  /** 403: the token lacks a scope the operation requires. */
  INSUFFICIENT_SCOPE: 'insufficient-scope',
  /** 403: the caller may not act in the jurisdiction it named. */
  OUT_OF_JURISDICTION: 'out-of-jurisdiction',
  /** 404: also what a caller gets for an object it may not see. */
  NOT_FOUND: ProblemTypes.NOT_FOUND,
  /** 503: the signing keys cannot be fetched. */
  SERVICE_UNAVAILABLE: ProblemTypes.SERVICE_UNAVAILABLE,
} as const;

/** Realm of every Bearer challenge. */
export const AUTH_REALM = 'puente';

/** An RFC 6750 auth-param value: a quoted-string of printable ASCII without `"` and `\`. */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '')}"`;
}

/** `Bearer realm="puente", error="invalid_token", error_description="..."`. */
export function bearerChallenge(error: 'invalid_token' | 'insufficient_scope', description: string, scopes?: readonly string[]): string {
  const params = [`realm=${quoted(AUTH_REALM)}`, `error=${quoted(error)}`, `error_description=${quoted(description)}`];
  if (scopes && scopes.length > 0) params.push(`scope=${quoted(scopes.join(' '))}`);
  return `Bearer ${params.join(', ')}`;
}

/**
 * 401 problem+json with `WWW-Authenticate: Bearer error="invalid_token"`. `detail` must not
 * contain the token; `reason` is one of TOKEN_REJECTION_REASONS.
 */
export function invalidTokenProblem(reason: TokenRejectionReason, detail: string): ProblemException {
  return new ProblemException(
    401,
    AuthProblemTypes.UNAUTHORIZED,
    'Unauthorized',
    detail,
    { reason },
    { headers: { 'WWW-Authenticate': bearerChallenge('invalid_token', detail) } },
  );
}

/**
 * 403 problem+json with `WWW-Authenticate: Bearer error="insufficient_scope", scope="<all required>"`.
 */
export function insufficientScopeProblem(required: readonly string[], missing: readonly string[]): ProblemException {
  const detail = `This operation requires the scope${required.length === 1 ? '' : 's'} ${required.join(', ')}; the token lacks ${missing.join(', ')}.`;
  return new ProblemException(
    403,
    AuthProblemTypes.INSUFFICIENT_SCOPE,
    'Insufficient scope',
    detail,
    { requiredScopes: [...required], missingScopes: [...missing] },
    { headers: { 'WWW-Authenticate': bearerChallenge('insufficient_scope', detail, required) } },
  );
}

/** 503 when the JWKS cannot be obtained (the token may well be valid). */
export function keySourceUnavailableProblem(): ProblemException {
  return new ProblemException(
    503,
    AuthProblemTypes.SERVICE_UNAVAILABLE,
    'Service unavailable',
    'The token signing keys cannot be obtained right now; retry shortly.',
    {},
    { headers: { 'Retry-After': '5' } },
  );
}

/**
 * The 404 a service answers for a missing id, and also for an object the caller may not see,
 * so the two are indistinguishable. Use it for genuinely missing objects too.
 * `resource` is a lower-case noun such as `referral`.
 */
export function resourceNotFound(resource: string): ProblemException {
  const noun = resource.trim() || 'resource';
  return new ProblemException(404, AuthProblemTypes.NOT_FOUND, 'Not found', `No ${noun} matches this id.`);
}
