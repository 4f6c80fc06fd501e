/**
 * The authenticated caller of a request, derived from a verified access token.
 *
 * Field names are a contract: the audit and idempotency code reads `request.principal`
 * with exactly these names.
 */
export interface Principal {
  /** `sub`: the authorization server's identifier of the client (or of the user behind it). */
  readonly subject: string;
  /** `client_id` (RFC 9068), else `azp`, else `sub` (client-credentials tokens: sub is the client). */
  readonly clientId: string;
  /** `partner_id`: the partner organization the client acts for, e.g. `GT-MRC-01`, `MX-COMAR`. */
  readonly partnerId: string;
  /** `node`: ISO 3166-1 alpha-2 code of the country node that registered the partner, e.g. `GT`. */
  readonly node: string;
  /** `jurisdictions`: country codes (`GT`) and/or site codes (`GT-MRC-01`) the caller may act in. */
  readonly jurisdictions: readonly string[];
  /** `scope`: the granted scopes (space-separated in the token), de-duplicated. */
  readonly scopes: readonly string[];
  /** `jti`: the token's unique id, when present. */
  readonly tokenId?: string;
}

/** Thrown by {@link principalFromClaims} and the token verifier; `detail` is safe to show to clients. */
export class ClaimsError extends Error {
  override readonly name = 'ClaimsError';

  constructor(
    readonly reason: 'missing-claim' | 'invalid-claim',
    readonly claim: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export const COUNTRY_CODE_PATTERN = /^[A-Z]{2}$/;
/** Site code: country code, then one or more upper-case alphanumeric segments (`GT-MRC-01`). */
export const SITE_CODE_PATTERN = /^[A-Z]{2}(?:-[A-Z0-9]{1,16}){1,4}$/;
export const PARTNER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;
const MAX_SCOPES = 100;
const MAX_JURISDICTIONS = 200;
const MAX_ID_LENGTH = 255;

/** True for an ISO 3166-1 alpha-2 shaped code (`GT`) or a site code (`GT-MRC-01`). */
export function isJurisdictionCode(value: string): boolean {
  return COUNTRY_CODE_PATTERN.test(value) || SITE_CODE_PATTERN.test(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

function identifier(claims: Record<string, unknown>, claim: string): string | undefined {
  const value = claims[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new ClaimsError('invalid-claim', claim, `The ${claim} claim must be a non-empty string of at most ${MAX_ID_LENGTH} characters.`);
  }
  return value;
}

function required(claims: Record<string, unknown>, claim: string): string {
  const value = identifier(claims, claim);
  if (value === undefined) throw new ClaimsError('missing-claim', claim, `The token has no ${claim} claim.`);
  return value;
}

/**
 * Splits an OAuth2 `scope` value (RFC 6749 §3.3: space-delimited) into distinct scopes,
 * keeping their first-seen order. Also accepts an array of strings (some authorization
 * servers issue one). Throws ClaimsError for anything else, for malformed scope tokens
 * and for more than 100 scopes.
 */
export function parseScopes(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  let parts: unknown[];
  if (typeof value === 'string') {
    if (value.length > MAX_SCOPES * 129) {
      throw new ClaimsError('invalid-claim', 'scope', 'The scope claim is too long.');
    }
    parts = value.split(' ').filter((s) => s.length > 0);
  } else if (Array.isArray(value)) {
    parts = value;
  } else {
    throw new ClaimsError('invalid-claim', 'scope', `The scope claim must be a space-separated string, not ${describe(value)}.`);
  }
  const scopes: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string' || !SCOPE_TOKEN_PATTERN.test(part)) {
      throw new ClaimsError('invalid-claim', 'scope', 'The scope claim contains a malformed scope.');
    }
    if (!scopes.includes(part)) scopes.push(part);
  }
  if (scopes.length > MAX_SCOPES) {
    throw new ClaimsError('invalid-claim', 'scope', `The scope claim lists more than ${MAX_SCOPES} scopes.`);
  }
  return scopes;
}

/** `jurisdictions` claim: an array of codes, or a space-separated string of codes. */
export function parseJurisdictions(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  let parts: unknown[];
  if (typeof value === 'string') parts = value.split(' ').filter((s) => s.length > 0);
  else if (Array.isArray(value)) parts = value;
  else {
    throw new ClaimsError(
      'invalid-claim',
      'jurisdictions',
      `The jurisdictions claim must be an array of country or site codes, not ${describe(value)}.`,
    );
  }
  if (parts.length > MAX_JURISDICTIONS) {
    throw new ClaimsError('invalid-claim', 'jurisdictions', `The jurisdictions claim lists more than ${MAX_JURISDICTIONS} codes.`);
  }
  const codes: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string' || !isJurisdictionCode(part)) {
      throw new ClaimsError(
        'invalid-claim',
        'jurisdictions',
        'Each jurisdiction must be an ISO 3166-1 alpha-2 code (GT) or a site code (GT-MRC-01).',
      );
    }
    if (!codes.includes(part)) codes.push(part);
  }
  return codes;
}

/**
 * Maps the claims of an already verified token to a Principal. Requires `sub`,
 * `partner_id` and `node`; validates the shape of every claim it reads. The returned
 * object and its arrays are frozen.
 */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const subject = required(claims, 'sub');
  const partnerId = required(claims, 'partner_id');
  if (!PARTNER_ID_PATTERN.test(partnerId)) {
    throw new ClaimsError(
      'invalid-claim',
      'partner_id',
      'The partner_id claim must be 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit.',
    );
  }
  const node = required(claims, 'node');
  if (!COUNTRY_CODE_PATTERN.test(node)) {
    throw new ClaimsError('invalid-claim', 'node', 'The node claim must be an ISO 3166-1 alpha-2 country code such as GT.');
  }
  const clientId = identifier(claims, 'client_id') ?? identifier(claims, 'azp') ?? subject;
  const tokenId = identifier(claims, 'jti');
  const principal: Principal = {
    subject,
    clientId,
    partnerId,
    node,
    jurisdictions: Object.freeze(parseJurisdictions(claims.jurisdictions)),
    scopes: Object.freeze(parseScopes(claims.scope)),
    ...(tokenId === undefined ? {} : { tokenId }),
  };
  return Object.freeze(principal);
}

/** Scopes of `required` that the principal was not granted (empty when all are granted). */
export function missingScopes(principal: Pick<Principal, 'scopes'>, required: readonly string[]): string[] {
  return [...new Set(required)].filter((scope) => !principal.scopes.includes(scope));
}

/** True when the principal holds every scope in `required`. */
export function hasScopes(principal: Pick<Principal, 'scopes'>, ...required: string[]): boolean {
  return missingScopes(principal, required).length === 0;
}

interface RequestWithPrincipal {
  principal?: Principal;
}

/** The principal the auth guard attached to this request, or undefined (public route). */
export function getPrincipal(request: object): Principal | undefined {
  return (request as RequestWithPrincipal).principal;
}

/** Attaches the principal to the request as `request.principal` (done by the auth guard). */
export function setPrincipal(request: object, principal: Principal): void {
  (request as RequestWithPrincipal).principal = principal;
}
