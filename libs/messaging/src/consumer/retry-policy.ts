/** How a failing handler is retried before its message goes to the dead-letter topic. */
export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, initialDelayMs: 200, maxDelayMs: 3000, multiplier: 3 };

/**
 * Delay before attempt `attempt` (2 = the first retry), exponential with "equal jitter" so
 * replicas do not retry in lockstep, never above maxDelayMs. `random` is injectable for tests.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  if (attempt <= 1) return 0;
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * Math.pow(policy.multiplier, attempt - 2));
  return Math.round(base / 2 + (base / 2) * random());
}

/** Errors a retry cannot fix: the message goes to the DLQ at once. */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}
