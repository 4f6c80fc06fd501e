import { HttpException } from '@nestjs/common';

/** Base of every problem `type` URI: `https://puente.dev/problems/<slug>`. */
export const PROBLEM_TYPE_BASE = 'https://puente.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem type slugs used by the platform itself (services add their own). */
export const ProblemTypes = {
  VALIDATION_ERROR: 'validation-error',
  MALFORMED_JSON: 'malformed-json',
  INVALID_ENCODING: 'invalid-encoding',
  BAD_REQUEST: 'bad-request',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not-found',
  METHOD_NOT_ALLOWED: 'method-not-allowed',
  NOT_ACCEPTABLE: 'not-acceptable',
  CONFLICT: 'conflict',
  ILLEGAL_TRANSITION: 'illegal-transition',
  GONE: 'gone',
  PRECONDITION_FAILED: 'precondition-failed',
  PRECONDITION_REQUIRED: 'precondition-required',
  PAYLOAD_TOO_LARGE: 'payload-too-large',
  URI_TOO_LONG: 'uri-too-long',
  HEADER_FIELDS_TOO_LARGE: 'request-header-fields-too-large',
  REQUEST_TIMEOUT: 'request-timeout',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported-media-type',
  UNPROCESSABLE_ENTITY: 'unprocessable-entity',
  IDEMPOTENCY_KEY_REUSED: 'idempotency-key-reused',
  TOO_MANY_REQUESTS: 'too-many-requests',
  INTERNAL_ERROR: 'internal-error',
  SERVICE_UNAVAILABLE: 'service-unavailable',
} as const;

/** One invalid field of a request. `field` is a dotted path such as `documents[0].number`. */
export interface FieldError {
  field: string;
  message: string;
  code?: string;
}

/** RFC 9457 problem details, with Puente's `requestId` and optional field `errors`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const RESERVED = new Set(['type', 'title', 'status', 'detail', 'instance', 'requestId']);

/** `validation-error` → `https://puente.dev/problems/validation-error`; absolute URIs pass through. */
export function problemTypeUri(typeOrSlug: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(typeOrSlug)) return typeOrSlug;
  return `${PROBLEM_TYPE_BASE}${typeOrSlug}`;
}

export interface ProblemExceptionOptions {
  /** Response headers to add (for example `ETag`, `Retry-After`, `Location`). */
  headers?: Record<string, string>;
  /** Underlying error, for logs only (never sent to clients). */
  cause?: unknown;
}

/**
 * Throw this for domain errors; the platform renders it as `application/problem+json`.
 *
 * ```ts
 * throw new ProblemException(409, 'illegal-transition', 'Illegal referral transition',
 *   'A rejected referral cannot be completed.', { from: 'rejected', to: 'completed' });
 * ```
 * `detail` and `extensions` are sent to the client: never put request values or
 * personal data in them.
 */
export class ProblemException extends HttpException {
  readonly problemType: string;
  readonly title: string;
  readonly detail?: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    type: string,
    title: string,
    detail?: string,
    extensions: Record<string, unknown> = {},
    options: ProblemExceptionOptions = {},
  ) {
    super(detail ?? title, status, options.cause === undefined ? undefined : { cause: options.cause });
    this.problemType = problemTypeUri(type);
    this.title = title;
    this.detail = detail;
    this.extensions = Object.fromEntries(Object.entries(extensions).filter(([k]) => !RESERVED.has(k)));
    this.headers = options.headers ?? {};
  }

  toProblem(instance?: string, requestId?: string): ProblemDetails {
    return {
      type: this.problemType,
      title: this.title,
      status: this.getStatus(),
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(instance === undefined ? {} : { instance }),
      ...(requestId === undefined ? {} : { requestId }),
      ...this.extensions,
    };
  }

  static badRequest(detail: string, extensions?: Record<string, unknown>): ProblemException {
    return new ProblemException(400, ProblemTypes.BAD_REQUEST, 'Bad request', detail, extensions);
  }

  static notFound(title: string, detail?: string, extensions?: Record<string, unknown>): ProblemException {
    return new ProblemException(404, ProblemTypes.NOT_FOUND, title, detail, extensions);
  }

  static conflict(type: string, title: string, detail?: string, extensions?: Record<string, unknown>): ProblemException {
    return new ProblemException(409, type, title, detail, extensions);
  }

  static preconditionFailed(detail: string, extensions?: Record<string, unknown>): ProblemException {
    return new ProblemException(412, ProblemTypes.PRECONDITION_FAILED, 'Precondition failed', detail, extensions);
  }
}

/** Standard title and type slug for a status when nothing more specific is known. */
export function defaultProblemFor(status: number): { type: string; title: string } {
  const table: Record<number, { type: string; title: string }> = {
    400: { type: ProblemTypes.BAD_REQUEST, title: 'Bad request' },
    401: { type: ProblemTypes.UNAUTHORIZED, title: 'Unauthorized' },
    403: { type: ProblemTypes.FORBIDDEN, title: 'Forbidden' },
    404: { type: ProblemTypes.NOT_FOUND, title: 'Not found' },
    405: { type: ProblemTypes.METHOD_NOT_ALLOWED, title: 'Method not allowed' },
    406: { type: ProblemTypes.NOT_ACCEPTABLE, title: 'Not acceptable' },
    409: { type: ProblemTypes.CONFLICT, title: 'Conflict' },
    410: { type: ProblemTypes.GONE, title: 'Gone' },
    412: { type: ProblemTypes.PRECONDITION_FAILED, title: 'Precondition failed' },
    408: { type: ProblemTypes.REQUEST_TIMEOUT, title: 'Request timeout' },
    413: { type: ProblemTypes.PAYLOAD_TOO_LARGE, title: 'Payload too large' },
    414: { type: ProblemTypes.URI_TOO_LONG, title: 'URI too long' },
    415: { type: ProblemTypes.UNSUPPORTED_MEDIA_TYPE, title: 'Unsupported media type' },
    422: { type: ProblemTypes.UNPROCESSABLE_ENTITY, title: 'Unprocessable entity' },
    428: { type: ProblemTypes.PRECONDITION_REQUIRED, title: 'Precondition required' },
    429: { type: ProblemTypes.TOO_MANY_REQUESTS, title: 'Too many requests' },
    431: { type: ProblemTypes.HEADER_FIELDS_TOO_LARGE, title: 'Request header fields too large' },
    500: { type: ProblemTypes.INTERNAL_ERROR, title: 'Internal server error' },
    503: { type: ProblemTypes.SERVICE_UNAVAILABLE, title: 'Service unavailable' },
  };
  if (table[status]) return table[status];
  if (status >= 500) return { type: 'server-error', title: 'Server error' };
  return { type: 'client-error', title: 'Client error' };
}
