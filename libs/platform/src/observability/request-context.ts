import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
export const TRACEPARENT_HEADER = 'traceparent';

/** W3C trace context of one request, as seen by this service. */
export interface TraceContext {
  /** 32 lower-case hex digits, shared by every hop of the trace. */
  traceId: string;
  /** Span id of this service's handling of the request (16 hex digits). */
  spanId: string;
  /** Span id of the caller, when a valid `traceparent` came in. */
  parentSpanId?: string;
  /** Trace flags (2 hex digits, `01` = sampled). */
  flags: string;
  /** `traceparent` header value for this span; send it on outgoing calls and events. */
  traceparent: string;
}

export interface RequestContext {
  requestId: string;
  trace: TraceContext;
}

const CONTEXT = Symbol.for('puente.requestContext');
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT_PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Accepts an incoming `x-request-id` if it is short and plain; otherwise returns undefined. */
export function sanitizeRequestId(value: unknown): string | undefined {
  const candidate = Array.isArray(value) ? value[0] : value;
  return typeof candidate === 'string' && REQUEST_ID_PATTERN.test(candidate) ? candidate : undefined;
}

/** Parses a W3C `traceparent` header; returns undefined when it is absent or invalid. */
export function parseTraceparent(
  value: unknown,
): { version: string; traceId: string; parentId: string; flags: string } | undefined {
  const candidate = Array.isArray(value) ? value[0] : value;
  if (typeof candidate !== 'string') return undefined;
  const match = TRACEPARENT_PATTERN.exec(candidate.trim());
  if (!match) return undefined;
  const [, version, traceId, parentId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { version, traceId, parentId, flags };
}

export function formatTraceparent(traceId: string, spanId: string, flags = '01'): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

/** Continues the incoming trace (new span id) or starts a new sampled trace. */
export function continueTrace(incoming: unknown): TraceContext {
  const parsed = parseTraceparent(incoming);
  const spanId = randomBytes(8).toString('hex');
  if (parsed) {
    return {
      traceId: parsed.traceId,
      spanId,
      parentSpanId: parsed.parentId,
      flags: parsed.flags,
      traceparent: formatTraceparent(parsed.traceId, spanId, parsed.flags),
    };
  }
  const traceId = randomBytes(16).toString('hex');
  return { traceId, spanId, flags: '01', traceparent: formatTraceparent(traceId, spanId, '01') };
}

type WithContext = IncomingMessage & { [CONTEXT]?: RequestContext };

/**
 * The request id and trace context of a raw Node request, computed once and cached
 * on it. Fastify's `genReqId` calls this first, so every later reader agrees.
 */
export function resolveRequestContext(raw: IncomingMessage): RequestContext {
  const holder = raw as WithContext;
  if (!holder[CONTEXT]) {
    holder[CONTEXT] = {
      requestId: sanitizeRequestId(raw.headers[REQUEST_ID_HEADER]) ?? randomUUID(),
      trace: continueTrace(raw.headers[TRACEPARENT_HEADER]),
    };
  }
  return holder[CONTEXT];
}

/** Request context of a Fastify request (or its raw Node request). */
export function getRequestContext(request: { raw: IncomingMessage } | IncomingMessage): RequestContext {
  const raw = 'raw' in request && request.raw ? request.raw : (request as IncomingMessage);
  return resolveRequestContext(raw);
}
