import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { isConcurrencyAbort, isDatabaseUnavailable, isUniqueViolation, sqlStateOf } from '../database/database-errors';
import { setResponseLogLevel } from '../observability/logging';
import { getRequestContext, REQUEST_ID_HEADER } from '../observability/request-context';
import {
  defaultProblemFor,
  PROBLEM_CONTENT_TYPE,
  ProblemException,
  type ProblemDetails,
  problemTypeUri,
  ProblemTypes,
} from './problem';

interface Rendered {
  problem: ProblemDetails;
  headers: Record<string, string>;
  /** Log the exception as an unexpected failure. */
  unexpected: boolean;
}

const GENERIC_500_DETAIL = 'An unexpected error occurred. Quote the requestId when reporting it.';
/** Seconds a client should wait before retrying while the database is out of reach. */
export const DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = (error as { statusCode?: unknown; status?: unknown }).statusCode ?? (error as { status?: unknown }).status;
  return typeof candidate === 'number' && Number.isInteger(candidate) ? candidate : undefined;
}

function fastifyCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('FST_') ? code : undefined;
}

function make(status: number, type: string, title: string, detail: string): ProblemDetails {
  return { type: problemTypeUri(type), title, status, detail };
}

function payloadTooLarge(request: FastifyRequest): ProblemDetails {
  const limit = request.routeOptions?.bodyLimit ?? request.server?.initialConfig?.bodyLimit;
  return make(
    413,
    ProblemTypes.PAYLOAD_TOO_LARGE,
    'Payload too large',
    limit ? `The request body exceeds the limit of ${limit} bytes.` : 'The request body is too large.',
  );
}

function unsupportedMediaType(): ProblemDetails {
  return make(415, ProblemTypes.UNSUPPORTED_MEDIA_TYPE, 'Unsupported media type', 'Send request bodies as application/json.');
}

/** Maps any thrown value to problem details. Never copies request values or internal messages for 5xx. */
export function renderProblem(exception: unknown, request: FastifyRequest): Rendered {
  if (exception instanceof ProblemException) {
    return { problem: exception.toProblem(), headers: exception.headers, unexpected: exception.getStatus() >= 500 };
  }

  const status = exception instanceof HttpException ? exception.getStatus() : statusOf(exception);
  if (status === 413) return { problem: payloadTooLarge(request), headers: {}, unexpected: false };
  if (status === 415) return { problem: unsupportedMediaType(), headers: {}, unexpected: false };

  if (exception instanceof HttpException && status !== undefined) {
    const base = defaultProblemFor(status);
    if (status >= 500) {
      return { problem: make(status, base.type, base.title, GENERIC_500_DETAIL), headers: {}, unexpected: true };
    }
    const response = exception.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : typeof (response as { message?: unknown }).message === 'string'
          ? (response as { message: string }).message
          : undefined;
    let detail: string;
    if (status === 404 && (message === undefined || /^Cannot [A-Z]+ /.test(message))) {
      detail = 'No resource matches this method and path.';
    } else if (message === undefined || message === base.title || message === exception.name) {
      detail = `The request failed with status ${status}.`;
    } else {
      detail = message;
    }
    return { problem: make(status, base.type, base.title, detail), headers: {}, unexpected: false };
  }

  if (status !== undefined && status >= 400 && status < 500) {
    // Errors raised by Fastify or plugins: describe by code, never by message (it may quote input).
    const base = defaultProblemFor(status);
    const code = fastifyCode(exception);
    const detail = code ? `The request could not be processed (${code}).` : `The request failed with status ${status}.`;
    return { problem: make(status, base.type, base.title, detail), headers: {}, unexpected: false };
  }

  if (isDatabaseUnavailable(exception)) {
    // Not the caller's fault and not a bug: say so, and when to try again (RFC 9110 Retry-After).
    return {
      problem: make(
        503,
        ProblemTypes.SERVICE_UNAVAILABLE,
        'Service unavailable',
        'The service cannot reach its database (or another system it depends on) just now. Retry after the number of seconds in Retry-After; for a create, send the same Idempotency-Key so it is never done twice.',
      ),
      headers: { 'retry-after': String(DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS) },
      unexpected: true,
    };
  }

  // Races a service did not turn into its own problem: still the caller's situation, not a
  // server bug. Logged as unexpected so the service learns to name them.
  if (isUniqueViolation(exception)) {
    return {
      problem: make(409, ProblemTypes.CONFLICT, 'Conflict', 'The request conflicts with data that already exists, possibly written by a concurrent request. Read the current state before trying again.'),
      headers: {},
      unexpected: true,
    };
  }
  // A value PostgreSQL cannot take for its column (SQLSTATE class 22: not a UUID, out of range,
  // too long, not a date; 23502: null for a required column) came from the request: the
  // caller's to fix, not a 500. Logged as unexpected so the service learns to validate it first.
  const sqlState = sqlStateOf(exception);
  if (sqlState?.startsWith('22') || sqlState === '23502') {
    return {
      problem: make(400, ProblemTypes.BAD_REQUEST, 'Bad request', 'A value in the request is not valid for what it names (for example an identifier that is not a UUID, a number out of range, or null for a required field).'),
      headers: {},
      unexpected: true,
    };
  }
  if (isConcurrencyAbort(exception)) {
    return {
      problem: make(503, ProblemTypes.SERVICE_UNAVAILABLE, 'Service unavailable', 'A concurrent change got in the way and nothing was written. Retry after the number of seconds in Retry-After.'),
      headers: { 'retry-after': '1' },
      unexpected: true,
    };
  }

  const base = defaultProblemFor(500);
  return { problem: make(500, base.type, base.title, GENERIC_500_DETAIL), headers: {}, unexpected: true };
}

/**
 * Writes `exception` as a problem+json response (adds `instance` and `requestId`).
 * Returns the rendering so callers can log unexpected failures.
 */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, exception: unknown): Rendered {
  const { requestId } = getRequestContext(request);
  const rendered = renderProblem(exception, request);
  rendered.problem.instance = pathOf(request.url);
  rendered.problem.requestId = requestId;
  if (!reply.sent) {
    void reply
      .code(rendered.problem.status)
      .headers(rendered.headers)
      .header(REQUEST_ID_HEADER, requestId)
      .header('content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
      .send(JSON.stringify(rendered.problem));
  }
  return rendered;
}

/**
 * Renders every error as RFC 9457 `application/problem+json`: Nest exceptions,
 * ProblemException, validation errors, Fastify's own errors (404 routes, 413, 415,
 * malformed bodies) and unexpected errors (500, logged with stack, generic detail).
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(private readonly logger: PinoLogger) {
    this.logger.setContext('ProblemDetailsFilter');
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, unexpected } = sendProblem(request, reply, exception);
    // Error is for what needs a human (an operator alerts on it): a bug, a database out of reach.
    // Races (409 unique violation, 503 serialization failure) are expected under load: warn.
    const level = problem.status >= 500 && !isConcurrencyAbort(exception) ? 'error' : 'warn';
    setResponseLogLevel(reply.raw, level);
    if (unexpected) {
      this.logger[level](
        {
          err: exception,
          requestId: problem.requestId,
          method: request.method,
          route: request.routeOptions?.url,
          status: problem.status,
        },
        'Request failed with an unexpected error',
      );
    }
  }
}
