import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiConflictResponse, ApiHeader, ApiResponse, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ProblemDetailsDto } from '../../http/problem.dto';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_OPTIONS } from './idempotency.constants';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { type IdempotentOptions, resolveIdempotentOptions } from './idempotency.options';

/**
 * Makes a creating POST handler idempotent per client with the `Idempotency-Key` header:
 *
 * - first request with a key: runs the handler and stores its status, body and the
 *   Location/ETag/Content-Type headers (2xx and 4xx responses) for `ttlMs` (24 h);
 * - same key + same request (body, path parameters and query; key order irrelevant): replays
 *   the stored response with `Idempotent-Replayed: true`, without running the handler;
 * - same key + another request: 422 `idempotency-key-reused`;
 * - while the first request is still running: the duplicate waits up to `waitMs` and replays,
 *   else 409 `idempotency-request-in-progress` with `Retry-After`;
 * - a 5xx (or unexpected error) or a request-validation 400 stores nothing, so a retry runs;
 * - missing key: 428 `idempotency-key-required` (unless `{ required: false }`); malformed key
 *   (not 1–255 visible ASCII characters): 400.
 *
 * Keys are scoped by the caller's `principal.clientId` and the route (method + pattern). Needs
 * `platformEntities`/`platformMigrations` in the service's lists. Handlers must return JSON;
 * stored bodies stay in the database for `ttlMs`, so return identifiers and status rather
 * than personal data from creating endpoints.
 */
export function Idempotent(options: IdempotentOptions = {}): MethodDecorator {
  const resolved = resolveIdempotentOptions(options);
  return applyDecorators(
    SetMetadata(IDEMPOTENT_OPTIONS, resolved),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: resolved.required,
      description:
        'Client-chosen unique key (e.g. a UUID) that makes retries safe: the same key with the same body replays the first response ' +
        `(header Idempotent-Replayed: true) for ${Math.round(resolved.ttlMs / 3_600_000)} h; with another body it is rejected (422).`,
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$', example: '5b7c6d1e-3f0a-4c39-9a8e-2f4b1d0c9e77' },
    }),
    ApiConflictResponse({ type: ProblemDetailsDto, description: 'idempotency-request-in-progress: the first request with this key is still running (see Retry-After)' }),
    ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'idempotency-key-reused: the key was used with another request body' }),
    ...(resolved.required
      ? [ApiResponse({ status: 428, type: ProblemDetailsDto, description: 'idempotency-key-required: the Idempotency-Key header is missing' })]
      : []),
  );
}
