import type { StatementPart } from '../../database/statement';
import type { IdempotencyScope } from './idempotency.store';

const CLAIM = Symbol.for('puente.idempotencyClaim');

interface HeldClaim {
  scope: IdempotencyScope;
  token: string;
  /** Set when the handler completes the record inside its own write (completedInWrite). */
  completion?: { status: number; body: unknown };
}

type WithClaim = { [CLAIM]?: HeldClaim };

/** The interceptor notes the claim it holds for this request before running the handler. */
export function holdIdempotencyClaim(request: object, scope: IdempotencyScope, token: string): void {
  (request as WithClaim)[CLAIM] = { scope, token };
}

/** What the handler said it stored in its own write, if it did (the interceptor then stores nothing). */
export function completionInWrite(request: object): { status: number; body: unknown } | undefined {
  return (request as WithClaim)[CLAIM]?.completion;
}

/**
 * The completion of this request's Idempotency-Key record as a part of the handler's own
 * statement (composeStatement), so that the response is stored in the same commit as the work:
 * one durable commit instead of two. `status` and `body` must be what the handler answers; only
 * for responses without replayed headers (Location, ETag). Undefined when the request holds no
 * claim (no Idempotency-Key). If the statement fails, nothing is stored and the interceptor
 * handles the error as usual.
 */
export function idempotentCompletionPart(request: object, response: { status: number; body: unknown }): StatementPart | undefined {
  const claim = (request as WithClaim)[CLAIM];
  if (!claim) return undefined;
  const text = JSON.stringify(response.body);
  claim.completion = { status: response.status, body: text === undefined ? undefined : JSON.parse(text) };
  return {
    ctes: [
      [
        'idempotency_complete',
        `UPDATE idempotency_record
            SET status = 'completed', lock_token = NULL, locked_until = NULL, completed_at = now(),
                response_status = $5, response_headers = '{}'::jsonb, response_body = $6::jsonb
          WHERE client_id = $1 AND route_key = $2 AND idempotency_key = $3 AND lock_token = $4::uuid AND status = 'in_progress'
          RETURNING 1`,
      ],
    ],
    params: [claim.scope.clientId, claim.scope.routeKey, claim.scope.key, claim.token, response.status, text ?? null],
  };
}
