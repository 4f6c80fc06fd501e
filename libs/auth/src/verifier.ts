import { decodeProtectedHeader, type FlattenedJWSInput, type JWSHeaderParameters, jwtVerify, type ProtectedHeaderParameters } from 'jose';
import type { AuthConfig } from './config';
import { DEV_KID_PREFIX } from './dev-issuer';
import { createKeyResolver, type FileKeyResolver, KeySourceUnavailableError, type KeyResolver } from './jwks';
import { ClaimsError, type Principal, principalFromClaims } from './principal';
import { VerifiedTokenCache } from './token-cache';

/** Stable, machine-readable reasons a token is rejected (sent as the problem's `reason`). */
export const TOKEN_REJECTION_REASONS = [
  'missing-token',
  'malformed-authorization',
  'malformed-token',
  'algorithm-not-allowed',
  'missing-key-id',
  'unknown-key',
  'dev-key-refused',
  'invalid-signature',
  'token-expired',
  'token-not-yet-valid',
  'token-issued-in-future',
  'wrong-audience',
  'wrong-issuer',
  'missing-claim',
  'invalid-claim',
] as const;
export type TokenRejectionReason = (typeof TOKEN_REJECTION_REASONS)[number];

/**
 * The token (or its absence) is not acceptable: a 401. `detail` is written for the client
 * and never contains the token or values taken from it.
 */
export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';

  constructor(
    readonly reason: TokenRejectionReason,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** Longest accepted token (bytes of the compact JWS). */
export const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const BEARER = /^Bearer +([^\s]+) *$/i;

/** Takes the token out of an `Authorization: Bearer <token>` header (RFC 6750 §2.1). */
export function extractBearerToken(header: string | string[] | undefined): string {
  if (header === undefined || header === '' || (Array.isArray(header) && header.length === 0)) {
    throw new TokenRejectedError('missing-token', 'A bearer token is required: send "Authorization: Bearer <access token>".');
  }
  if (Array.isArray(header)) {
    throw new TokenRejectedError('malformed-authorization', 'Send exactly one Authorization header.');
  }
  const match = BEARER.exec(header);
  if (!match) {
    throw new TokenRejectedError(
      'malformed-authorization',
      'The Authorization header must use the Bearer scheme followed by one access token.',
    );
  }
  return match[1] as string;
}

function claimDetail(claim: string, reason: string): TokenRejectedError {
  if (reason === 'missing') return new TokenRejectedError('missing-claim', `The token has no ${claim} claim.`);
  return new TokenRejectedError('invalid-claim', `The token's ${claim} claim is malformed.`);
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Errors of the key source itself (network, timeout, bad document): not the caller's fault. */
const KEY_SOURCE_FAILURES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

export interface TokenVerifierHooks {
  /** A JWKS (re)load failed; the previous keys stay in use. */
  onKeyLoadError?: (error: Error) => void;
  /** Verified tokens remembered until they expire (default: a VerifiedTokenCache; false: none). */
  cache?: VerifiedTokenCache | false;
  /** Clock in milliseconds for expiry and iat checks (tests). */
  now?: () => number;
}

/**
 * Verifies OAuth2 access tokens (JWS compact JWTs) against the configured JWKS and maps
 * their claims to a Principal. Throws TokenRejectedError (401) or
 * KeySourceUnavailableError (503, the keys cannot be obtained).
 */
export class TokenVerifier {
  private readonly resolver: KeyResolver;
  private readonly file?: FileKeyResolver;
  private readonly cache: VerifiedTokenCache | null;
  private readonly now: () => number;
  private readonly trusts: (kid: string) => boolean;

  constructor(
    readonly config: AuthConfig,
    hooks: TokenVerifierHooks = {},
  ) {
    const { resolver, file } = createKeyResolver(config, { onLoadError: hooks.onKeyLoadError, now: hooks.now });
    this.resolver = resolver;
    this.file = file;
    this.now = hooks.now ?? Date.now;
    this.cache = hooks.cache === false ? null : (hooks.cache ?? new VerifiedTokenCache({ now: this.now }));
    this.trusts = (kid) => resolver.trusts(kid);
  }

  /** Where keys come from, for logs. */
  get keySource(): string {
    return this.resolver.description;
  }

  /**
   * Loads a JWKS file up front so a bad explicit AUTH_JWKS_FILE stops the service at startup.
   * Returns false when the file is missing or invalid (the caller decides whether that is fatal).
   * URL sources are fetched on first use, so an authorization server outage does not stop startup.
   */
  async preload(): Promise<{ loaded: boolean; error?: Error; keyIds: string[] }> {
    if (!this.file) return { loaded: true, keyIds: [] };
    try {
      await this.file.load();
      return { loaded: true, keyIds: this.file.keyIds };
    } catch (error) {
      return { loaded: false, error: error as Error, keyIds: [] };
    }
  }

  /** Verifies the token of an Authorization header value. */
  async verifyAuthorization(header: string | string[] | undefined): Promise<Principal> {
    return this.verify(extractBearerToken(header));
  }

  async verify(token: string): Promise<Principal> {
    const cacheKey = this.cache && token.length <= MAX_TOKEN_LENGTH ? VerifiedTokenCache.keyOf(token) : undefined;
    if (cacheKey !== undefined) {
      const known = this.cache?.get(cacheKey, this.trusts);
      if (known) return known;
    }
    const header = this.checkHeader(token);
    let payload: Record<string, unknown>;
    try {
      const result = await jwtVerify(token, (h: JWSHeaderParameters, t: FlattenedJWSInput) => this.key(h, t), {
        algorithms: this.config.algorithms,
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: this.config.clockToleranceSec,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(this.now()),
      });
      payload = result.payload as Record<string, unknown>;
    } catch (error) {
      throw this.translate(error);
    }
    const now = Math.floor(this.now() / 1000);
    if (typeof payload.iat === 'number' && payload.iat > now + this.config.clockToleranceSec) {
      throw new TokenRejectedError('token-issued-in-future', 'The token was issued in the future (iat); check the issuer\'s clock.');
    }
    let principal: Principal;
    try {
      principal = principalFromClaims(payload);
    } catch (error) {
      if (error instanceof ClaimsError) throw new TokenRejectedError(error.reason, error.detail);
      throw error;
    }
    // Remembered only once everything above passed; served again only until its own exp.
    if (cacheKey !== undefined) this.cache?.set(cacheKey, principal, payload.exp as number, header.kid as string);
    return principal;
  }

  /** Shape, algorithm and key id checks before any key is looked up. */
  private checkHeader(token: string): ProtectedHeaderParameters {
    if (token.length > MAX_TOKEN_LENGTH) {
      throw new TokenRejectedError('malformed-token', `The bearer token is longer than ${MAX_TOKEN_LENGTH} characters.`);
    }
    if (!COMPACT_JWS.test(token)) {
      throw new TokenRejectedError('malformed-token', 'The bearer token is not a JWS compact serialization (header.payload.signature).');
    }
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new TokenRejectedError('malformed-token', 'The bearer token header is not valid base64url-encoded JSON.');
    }
    if (typeof header.alg !== 'string' || !(this.config.algorithms as string[]).includes(header.alg)) {
      throw new TokenRejectedError(
        'algorithm-not-allowed',
        `The token's signing algorithm is not accepted; use one of ${this.config.algorithms.join(', ')}.`,
      );
    }
    if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > 256) {
      throw new TokenRejectedError('missing-key-id', 'The token header has no key id (kid).');
    }
    if (this.config.production && header.kid.startsWith(DEV_KID_PREFIX)) {
      throw new TokenRejectedError('dev-key-refused', 'Tokens signed by a Puente dev key are refused in production.');
    }
    return header;
  }

  private async key(header: JWSHeaderParameters, token: FlattenedJWSInput) {
    try {
      return await this.resolver(header, token);
    } catch (error) {
      const code = codeOf(error);
      if (error instanceof KeySourceUnavailableError) throw error;
      if (code === undefined || KEY_SOURCE_FAILURES.has(code)) {
        throw new KeySourceUnavailableError(`${this.resolver.description} could not be fetched`, { cause: error });
      }
      throw error;
    }
  }

  private translate(error: unknown): Error {
    if (error instanceof TokenRejectedError || error instanceof KeySourceUnavailableError) return error;
    const code = codeOf(error);
    const claimError = error as { claim?: unknown; reason?: unknown };
    const claim = typeof claimError.claim === 'string' ? claimError.claim : 'unspecified';
    const reason = typeof claimError.reason === 'string' ? claimError.reason : 'unspecified';
    switch (code) {
      case 'ERR_JOSE_ALG_NOT_ALLOWED':
        return new TokenRejectedError(
          'algorithm-not-allowed',
          `The token's signing algorithm is not accepted; use one of ${this.config.algorithms.join(', ')}.`,
        );
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
        return new TokenRejectedError('invalid-signature', 'The token signature is invalid.');
      case 'ERR_JWKS_NO_MATCHING_KEY':
        return new TokenRejectedError('unknown-key', 'No trusted signing key matches the token\'s key id (kid).');
      case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
        return new TokenRejectedError('unknown-key', 'More than one trusted signing key matches the token\'s key id (kid).');
      case 'ERR_JWK_INVALID':
      case 'ERR_JOSE_NOT_SUPPORTED':
        return new TokenRejectedError('unknown-key', 'The trusted key for this kid cannot verify this token.');
      case 'ERR_JWT_EXPIRED':
        return new TokenRejectedError('token-expired', 'The token has expired; request a new one.');
      case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
        if (reason === 'missing') return claimDetail(claim, reason);
        if (claim === 'nbf') return new TokenRejectedError('token-not-yet-valid', 'The token is not valid yet (nbf).');
        if (claim === 'aud') {
          return new TokenRejectedError(
            'wrong-audience',
            `The token is not meant for this service: aud must include ${this.config.audience.join(' or ')}.`,
          );
        }
        if (claim === 'iss') return new TokenRejectedError('wrong-issuer', 'The token was not issued by the trusted issuer.');
        if (claim === 'iat') return new TokenRejectedError('token-issued-in-future', 'The token was issued in the future (iat).');
        return claimDetail(claim, reason);
      default:
        return new TokenRejectedError('malformed-token', 'The bearer token is not a well-formed signed JWT.');
    }
  }
}


