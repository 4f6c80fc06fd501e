import type { Principal } from './principal';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, attached by the auth guard (absent on public routes). */
    principal?: Principal;
  }
}

export {
  type Principal,
  ClaimsError,
  principalFromClaims,
  parseScopes,
  parseJurisdictions,
  isJurisdictionCode,
  missingScopes,
  hasScopes,
  getPrincipal,
  setPrincipal,
  COUNTRY_CODE_PATTERN,
  SITE_CODE_PATTERN,
  PARTNER_ID_PATTERN,
} from './principal';
export { SCOPES, type KnownScope, SCOPE_NAME_PATTERN } from './scopes';
export {
  type AuthConfig,
  type JwksSourceConfig,
  type AllowedAlgorithm,
  ALLOWED_ALGORITHMS,
  DEFAULT_CLOCK_TOLERANCE_SEC,
  DEFAULT_URL_COOLDOWN_MS,
  DEFAULT_FILE_COOLDOWN_MS,
  DEFAULT_CACHE_MAX_AGE_MS,
  loadAuthConfig,
  defaultAudience,
  devSecretsDir,
} from './config';
export { FileKeyResolver, KeySourceUnavailableError, NoMatchingKeyError, parseJwks, type KeyResolver } from './jwks';
export { VerifiedTokenCache, type VerifiedTokenCacheOptions } from './token-cache';
export {
  TokenVerifier,
  TokenRejectedError,
  type TokenRejectionReason,
  TOKEN_REJECTION_REASONS,
  MAX_TOKEN_LENGTH,
  extractBearerToken,
} from './verifier';
export {
  AuthProblemTypes,
  AUTH_REALM,
  bearerChallenge,
  invalidTokenProblem,
  insufficientScopeProblem,
  keySourceUnavailableProblem,
  resourceNotFound,
} from './problems';
export {
  type Parties,
  type AssertPartyOptions,
  type AssertJurisdictionOptions,
  partyRoles,
  isParty,
  assertParty,
  coversJurisdiction,
  inJurisdiction,
  assertJurisdiction,
  assertScopes,
} from './policy';
export { RequireScopes, CurrentPrincipal, ApiAuth, REQUIRED_SCOPES, BEARER_SCHEME } from './decorators';
export { AuthGuard, AUTH_REJECTIONS_METRIC } from './auth.guard';
export { AuthModule, type AuthModuleOptions, AUTH_CONFIG } from './auth.module';
export {
  DevIssuer,
  type DevIssuerOptions,
  type DevTokenOptions,
  type DevKeyInfo,
  type DevAlgorithm,
  DevTokenError,
  DEV_ISSUER,
  DEV_JWKS_FILE_NAME,
  DEV_KEYS_FILE_NAME,
  DEV_KID_PREFIX,
  DEFAULT_SERVICE_AUDIENCES,
  DEFAULT_DEV_TTL_SECONDS,
  MAX_DEV_TTL_SECONDS,
} from './dev-issuer';
export {
  ServiceClient,
  ServiceNotAnsweringError,
  ServiceUrlSetting,
  ServiceTokenFileSetting,
  type ServiceClientOptions,
  type ServiceCallOptions,
  type ServiceAnswer,
} from './service-client';
