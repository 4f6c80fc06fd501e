import { ProblemTypes } from '../http/problem';

/** Problem `type` slugs of the REST conventions (idempotency, pagination, conditional requests, rate limits). */
export const ConventionProblemTypes = {
  /** 428: an `@Idempotent()` route was called without `Idempotency-Key`. */
  IDEMPOTENCY_KEY_REQUIRED: 'idempotency-key-required',
  /** 422: the `Idempotency-Key` was already used with another request body. */
  IDEMPOTENCY_KEY_REUSED: ProblemTypes.IDEMPOTENCY_KEY_REUSED,
  /** 409: the first request with this key is still being processed (Retry-After given). */
  IDEMPOTENCY_REQUEST_IN_PROGRESS: 'idempotency-request-in-progress',
  /** 428: an update was sent without `If-Match`. */
  PRECONDITION_REQUIRED: ProblemTypes.PRECONDITION_REQUIRED,
  /** 412: `If-Match` does not match the current ETag (someone else changed the resource). */
  PRECONDITION_FAILED: ProblemTypes.PRECONDITION_FAILED,
  /** 429: the client exceeded its request rate (Retry-After given). */
  TOO_MANY_REQUESTS: ProblemTypes.TOO_MANY_REQUESTS,
} as const;
