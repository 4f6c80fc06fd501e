import { randomFillSync, randomUUID } from 'node:crypto';
import { formatTraceparent, parseTraceparent } from '@puente/platform';

/**
 * CloudEvents 1.0 Kafka protocol binding, binary content mode: the event attributes travel as
 * `ce_*` headers and the value is the protobuf-encoded event. Pure functions, no I/O.
 */
export const CE_SPEC_VERSION = '1.0';
export const PROTOBUF_CONTENT_TYPE = 'application/protobuf';

export interface EventAttributes {
  id: string;
  type: string;
  source: string;
  time: string;
  /** The aggregate the event is about (a case id): also the Kafka key. */
  subject?: string;
  traceparent?: string;
  contentType?: string;
}

export type WireHeaders = Record<string, string>;

export function toHeaders(a: EventAttributes): WireHeaders {
  const h: WireHeaders = {
    ce_id: a.id,
    ce_type: a.type,
    ce_source: a.source,
    ce_time: a.time,
    ce_specversion: CE_SPEC_VERSION,
    'content-type': a.contentType ?? PROTOBUF_CONTENT_TYPE,
  };
  if (a.subject !== undefined) h['ce_subject'] = a.subject;
  if (a.traceparent !== undefined) h['traceparent'] = a.traceparent;
  return h;
}

export class InvalidCloudEventError extends Error {
  constructor(readonly missing: string[]) {
    super(`not a CloudEvent: missing or invalid ${missing.join(', ')}`);
  }
}

/** Reads the attributes back; throws InvalidCloudEventError when a required one is missing. */
export function fromHeaders(headers: Record<string, Buffer | string | undefined | (Buffer | string)[]>): EventAttributes {
  const get = (k: string): string | undefined => {
    const v = headers[k];
    const first = Array.isArray(v) ? v[0] : v;
    return first === undefined ? undefined : first.toString();
  };
  const missing = ['ce_id', 'ce_type', 'ce_source', 'ce_specversion'].filter((k) => !get(k));
  if (get('ce_specversion') && get('ce_specversion') !== CE_SPEC_VERSION) missing.push('ce_specversion');
  if (missing.length) throw new InvalidCloudEventError(missing);
  return {
    id: get('ce_id') as string,
    type: get('ce_type') as string,
    source: get('ce_source') as string,
    time: get('ce_time') ?? '',
    subject: get('ce_subject'),
    traceparent: get('traceparent'),
    contentType: get('content-type'),
  };
}

// Trace and span ids for every outgoing event: drawn from a pooled CSPRNG buffer, because two
// crypto calls per event were a measurable share of the outbox's write path.
const pool = Buffer.alloc(8192);
let poolOffset = pool.length;
function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

/** A valid W3C traceparent (parsed by libs/platform's parseTraceparent, the one parser). */
export function isTraceparent(v: string | undefined): v is string {
  return parseTraceparent(v) !== undefined;
}

/** A child span of `parent` (same trace id, new span id), or a fresh trace when there is none. */
export function childTraceparent(parent?: string): string {
  const span = randomHex(8);
  const parsed = parseTraceparent(parent);
  return parsed ? formatTraceparent(parsed.traceId, span, parsed.flags) : formatTraceparent(randomHex(16), span, '01');
}

export function newEventId(): string {
  return randomUUID();
}

export function eventSource(node: string, service: string): string {
  return `/puente/${node.toLowerCase()}/${service}`;
}
