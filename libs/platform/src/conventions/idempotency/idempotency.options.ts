import {
  DEFAULT_IDEMPOTENCY_LOCK_TIMEOUT_MS,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  DEFAULT_IDEMPOTENCY_WAIT_MS,
} from './idempotency.constants';

export interface IdempotentOptions {
  /**
   * Whether the `Idempotency-Key` header is mandatory (default true: a request without it is
   * answered 428 `idempotency-key-required`). With `false`, a request without a key simply runs
   * without idempotency protection.
   */
  required?: boolean;
  /** How long the key and its stored response are kept (default 24 h). */
  ttlMs?: number;
  /** How long a duplicate waits for an in-flight first request before 409 (default 10 s). */
  waitMs?: number;
  /** How long an in-progress claim is honoured before it counts as abandoned (default 60 s). */
  lockTimeoutMs?: number;
}

export type ResolvedIdempotentOptions = Required<IdempotentOptions>;

export function resolveIdempotentOptions(options: IdempotentOptions = {}): ResolvedIdempotentOptions {
  const resolved = {
    required: options.required ?? true,
    ttlMs: options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS,
    waitMs: options.waitMs ?? DEFAULT_IDEMPOTENCY_WAIT_MS,
    lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_IDEMPOTENCY_LOCK_TIMEOUT_MS,
  };
  for (const name of ['ttlMs', 'waitMs', 'lockTimeoutMs'] as const) {
    if (!Number.isFinite(resolved[name]) || resolved[name] < 0) {
      throw new RangeError(`@Idempotent(): ${name} must be a non-negative number of milliseconds`);
    }
  }
  if (resolved.ttlMs < resolved.lockTimeoutMs) throw new RangeError('@Idempotent(): ttlMs must be at least lockTimeoutMs');
  return resolved;
}
