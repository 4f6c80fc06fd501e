export { canonicalJson, canonicalHash, sha256Hex } from './canonical-json';
export { principalClientId, type PrincipalLike } from './principal';
export { ConventionProblemTypes } from './problem-types';
export { platformEntities, platformMigrations } from './schema';

export {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  IDEMPOTENCY_KEY_PATTERN,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  DEFAULT_IDEMPOTENCY_WAIT_MS,
  DEFAULT_IDEMPOTENCY_LOCK_TIMEOUT_MS,
} from './idempotency/idempotency.constants';
export { Idempotent } from './idempotency/idempotent.decorator';
export { idempotentCompletionPart } from './idempotency/idempotency-completion';
export { type IdempotentOptions, type ResolvedIdempotentOptions, resolveIdempotentOptions } from './idempotency/idempotency.options';
export { IdempotencyInterceptor, readIdempotencyKey, idempotencyFingerprint } from './idempotency/idempotency.interceptor';
export {
  IdempotencyStore,
  type IdempotencyScope,
  type StoredResponse,
  type ExistingIdempotencyRecord,
  type IdempotencyClaim,
  type ClaimOptions,
} from './idempotency/idempotency.store';
export { IdempotencyPruner, IDEMPOTENCY_PRUNE_INTERVAL_MS } from './idempotency/idempotency.pruner';
export { IdempotencyRecordEntity, type IdempotencyStatus } from './idempotency/idempotency-record.entity';
export { CreateIdempotencyRecord1795737600000 } from './idempotency/idempotency.migration';

export {
  encodeCursor,
  decodeCursor,
  invalidCursorProblem,
  isValidCursorValue,
  MAX_CURSOR_LENGTH,
  type CursorKeyType,
  type CursorSchema,
  type CursorValues,
} from './pagination/cursor';
export { PageQueryDto, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from './pagination/page-query.dto';
export { type Page, CursorPageDto, ApiPaginatedResponse, mapPage } from './pagination/page.dto';
export { paginate, type PaginateOptions, type SortKey } from './pagination/paginate';

export {
  ETAG_HEADER,
  IF_MATCH_HEADER,
  IF_NONE_MATCH_HEADER,
  type EtagSource,
  type EtagOptions,
  computeEtag,
  parseEntityTagList,
  strongEtagMatch,
  weakEtagMatch,
  assertIfMatch,
  isNotModified,
  setEtag,
  assertVersionUpdated,
  preconditionFailedProblem,
  preconditionRequiredProblem,
} from './etag/etag';
export { RequireIfMatch, IfMatchRequiredGuard, WithEtag, type WithEtagOptions, registerEtagHooks, ETAG_ROUTE_CONFIG } from './etag/etag.decorators';

export {
  RATE_LIMIT_ENV,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  RATE_LIMIT_SETTINGS,
  type RateLimitOptions,
  type RateLimitSettings,
  resolveRateLimitSettings,
} from './rate-limit/rate-limit.config';
export { PlatformThrottlerGuard } from './rate-limit/rate-limit.guard';
export { RequestAdmission, RateLimitedAdmission } from './rate-limit/request-admission';
export { RateLimitModule } from './rate-limit/rate-limit.module';
export { SkipThrottle as SkipRateLimit } from '@nestjs/throttler';
