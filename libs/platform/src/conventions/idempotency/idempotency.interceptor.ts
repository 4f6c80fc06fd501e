import { Readable } from 'node:stream';
import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  Logger,
  type NestInterceptor,
  StreamableFile,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defer, lastValueFrom, type Observable } from 'rxjs';
import { PROBLEM_CONTENT_TYPE, ProblemException, problemTypeUri, ProblemTypes, type ProblemDetails } from '../../http/problem';
import { renderProblem } from '../../http/problem.filter';
import { validationProblem } from '../../http/validation';
import { canonicalHash } from '../canonical-json';
import { principalClientId } from '../principal';
import { ConventionProblemTypes } from '../problem-types';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_PATTERN,
  IDEMPOTENT_OPTIONS,
  IDEMPOTENT_REPLAYED_HEADER,
  REPLAYED_RESPONSE_HEADERS,
} from './idempotency.constants';
import { resolveIdempotentOptions, type ResolvedIdempotentOptions } from './idempotency.options';
import { completionInWrite, holdIdempotencyClaim } from './idempotency-completion';
import { type IdempotencyScope, IdempotencyStore, type StoredResponse } from './idempotency.store';

const POLL_START_MS = 20;
const POLL_MAX_MS = 250;
const VALIDATION_TYPE = problemTypeUri(ProblemTypes.VALIDATION_ERROR);
const PROBLEM_RESERVED = new Set(['type', 'title', 'status', 'detail', 'instance', 'requestId']);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads the `Idempotency-Key` header: undefined when absent, the key when valid, and a 400
 * field error when it is not 1–255 visible ASCII characters (a repeated header is invalid too).
 */
export function readIdempotencyKey(request: FastifyRequest): string | undefined {
  const raw = request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && IDEMPOTENCY_KEY_PATTERN.test(raw)) return raw;
  throw validationProblem([
    {
      field: IDEMPOTENCY_KEY_HEADER,
      message: `${IDEMPOTENCY_KEY_HEADER} must be 1 to 255 visible ASCII characters (a UUID is a good choice)`,
      code: 'idempotencyKey',
    },
  ]);
}

/**
 * Fingerprint of a request for idempotency: SHA-256 of the canonical JSON of its body, path
 * parameters and query, so the same key cannot be replayed for another resource either.
 */
export function idempotencyFingerprint(request: Pick<FastifyRequest, 'body' | 'params' | 'query'>): string {
  return canonicalHash({ body: request.body ?? null, params: request.params ?? {}, query: request.query ?? {} });
}

function errorStatus(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  const status = (error as { statusCode?: unknown; status?: unknown } | null)?.statusCode ?? (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
}

function isJsonResult(result: unknown): boolean {
  return !(
    result instanceof StreamableFile ||
    result instanceof Readable ||
    Buffer.isBuffer(result) ||
    result instanceof Uint8Array ||
    typeof (result as { pipe?: unknown } | null)?.pipe === 'function'
  );
}

function replayedHeaders(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_RESPONSE_HEADERS) {
    const value = reply.getHeader(name);
    if (typeof value === 'string') headers[name] = value;
    else if (typeof value === 'number') headers[name] = String(value);
  }
  return headers;
}

function toJsonValue(result: unknown): unknown {
  if (result === undefined) return undefined;
  const text = JSON.stringify(result);
  return text === undefined ? undefined : JSON.parse(text);
}

function isProblemBody(body: unknown): body is ProblemDetails {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { type?: unknown }).type === 'string' &&
    typeof (body as { title?: unknown }).title === 'string'
  );
}

/** Interceptor behind `@Idempotent()`; see that decorator for the behaviour. */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly store: IdempotencyStore,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const options =
      this.reflector.get<ResolvedIdempotentOptions | undefined>(IDEMPOTENT_OPTIONS, context.getHandler()) ??
      resolveIdempotentOptions();
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    return defer(() => this.handle(request, reply, next, options));
  }

  private async handle(
    request: FastifyRequest,
    reply: FastifyReply,
    next: CallHandler,
    options: ResolvedIdempotentOptions,
  ): Promise<unknown> {
    const key = readIdempotencyKey(request);
    if (key === undefined) {
      if (!options.required) return lastValueFrom(next.handle(), { defaultValue: undefined });
      throw new ProblemException(
        428,
        ConventionProblemTypes.IDEMPOTENCY_KEY_REQUIRED,
        'Idempotency key required',
        `Send an ${IDEMPOTENCY_KEY_HEADER} header (for example a UUID) so that this request can be retried safely.`,
      );
    }
    const clientId = principalClientId(request);
    if (clientId === undefined) {
      throw new ProblemException(401, ProblemTypes.UNAUTHORIZED, 'Unauthorized', 'Idempotent requests need an authenticated client.');
    }
    const scope: IdempotencyScope = { clientId, routeKey: `${request.method} ${request.routeOptions?.url ?? request.url}`, key };
    const fingerprint = idempotencyFingerprint(request);
    const deadline = Date.now() + options.waitMs;
    let pause = POLL_START_MS;

    for (;;) {
      const claim = await this.store.claim(scope, fingerprint, options);
      if (claim.claimed) return this.execute(request, reply, next, scope, claim.token);
      const record = claim.record;
      if (record === undefined) continue; // released or pruned meanwhile: claim again
      if (record.requestHash !== fingerprint) {
        throw new ProblemException(
          422,
          ConventionProblemTypes.IDEMPOTENCY_KEY_REUSED,
          'Idempotency key reused',
          `This ${IDEMPOTENCY_KEY_HEADER} was already used with a different request. Use a new key for a new request.`,
        );
      }
      if (record.status === 'completed' && record.response) return this.replay(reply, record.response);
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new ProblemException(
          409,
          ConventionProblemTypes.IDEMPOTENCY_REQUEST_IN_PROGRESS,
          'Request in progress',
          `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed. Retry later to get its response.`,
          {},
          { headers: { 'Retry-After': '1' } },
        );
      }
      await sleep(Math.min(pause, remaining));
      pause = Math.min(pause * 2, POLL_MAX_MS);
    }
  }

  private async execute(
    request: FastifyRequest,
    reply: FastifyReply,
    next: CallHandler,
    scope: IdempotencyScope,
    token: string,
  ): Promise<unknown> {
    let result: unknown;
    holdIdempotencyClaim(request, scope, token);
    try {
      result = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      await this.recordFailure(request, scope, token, error);
      throw error;
    }
    const stored = completionInWrite(request);
    if (stored) {
      // The handler stored its response in its own statement (idempotentCompletionPart).
      if (stored.status !== reply.statusCode || Object.keys(replayedHeaders(reply)).some((h) => h !== 'content-type')) {
        this.logger.warn(`${scope.routeKey}: the response stored in the handler's write differs from the one sent (status or headers)`);
      }
      return stored.body;
    }
    if (!isJsonResult(result)) {
      this.logger.error(`${scope.routeKey}: @Idempotent() handlers must return JSON; the key was released, nothing stored`);
      await this.safeRelease(scope, token);
      return result;
    }
    try {
      const { stored, body } = await this.store.complete(scope, token, {
        status: reply.statusCode,
        headers: replayedHeaders(reply),
        body: toJsonValue(result),
      });
      if (!stored) this.logger.warn(`${scope.routeKey}: the idempotency claim expired before the response was stored`);
      return body;
    } catch (error) {
      // The handler's work is done: answer it, but a retry with this key may run again after the lock timeout.
      this.logger.error(`${scope.routeKey}: storing the idempotent response failed: ${(error as Error).message}`);
      return result;
    }
  }

  /** 5xx, unexpected errors and request-validation failures release the key; other 4xx are stored. */
  private async recordFailure(request: FastifyRequest, scope: IdempotencyScope, token: string, error: unknown): Promise<void> {
    const status = errorStatus(error);
    const invalidRequest = error instanceof ProblemException && error.problemType === VALIDATION_TYPE;
    if (status >= 500 || invalidRequest) {
      await this.safeRelease(scope, token);
      return;
    }
    const { problem, headers } = renderProblem(error, request);
    const stored: StoredResponse = {
      status: problem.status,
      headers: { ...pickReplayed(headers), 'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8` },
      body: problem,
    };
    try {
      await this.store.complete(scope, token, stored);
    } catch (storeError) {
      this.logger.error(`${scope.routeKey}: storing the idempotent error response failed: ${(storeError as Error).message}`);
      await this.safeRelease(scope, token);
    }
  }

  private async safeRelease(scope: IdempotencyScope, token: string): Promise<void> {
    try {
      await this.store.release(scope, token);
    } catch (error) {
      this.logger.error(`${scope.routeKey}: releasing an idempotency key failed: ${(error as Error).message}`);
    }
  }

  private replay(reply: FastifyReply, response: StoredResponse): unknown {
    const headers: Record<string, string> = { [IDEMPOTENT_REPLAYED_HEADER]: 'true' };
    for (const [name, value] of Object.entries(response.headers)) {
      if (name !== 'content-type' || response.status < 400) headers[name] = value;
    }
    if (response.status >= 400 && isProblemBody(response.body)) {
      const { type, title, detail, ...rest } = response.body;
      const extensions = Object.fromEntries(Object.entries(rest).filter(([k]) => !PROBLEM_RESERVED.has(k)));
      throw new ProblemException(response.status, type, title, detail, extensions, { headers });
    }
    void reply.status(response.status).headers(headers);
    return response.body;
  }
}

function pickReplayed(headers: Record<string, string>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if ((REPLAYED_RESPONSE_HEADERS as readonly string[]).includes(lower)) picked[lower] = value;
  }
  return picked;
}
