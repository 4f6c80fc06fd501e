/** Request header carrying the client's idempotency key. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Response header set to `true` on replayed responses. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
/** 1–255 visible ASCII characters (no spaces or control characters). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;
/** How long a key and its stored response are kept: 24 hours. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a duplicate waits for the first request with its key to finish before answering 409. */
export const DEFAULT_IDEMPOTENCY_WAIT_MS = 10_000;
/** An in-progress claim older than this is treated as abandoned (crashed instance) and can be taken over. */
export const DEFAULT_IDEMPOTENCY_LOCK_TIMEOUT_MS = 60_000;
/** Response headers stored with a response and replayed. */
export const REPLAYED_RESPONSE_HEADERS = ['location', 'etag', 'content-type'] as const;
/** Metadata key of the options of `@Idempotent()`. */
export const IDEMPOTENT_OPTIONS = 'puente:idempotent-options';
