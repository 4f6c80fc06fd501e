import { createHash } from 'node:crypto';

/** `prev_hash` of the first record of every chain: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

export const AUDIT_OUTCOMES = ['success', 'denied', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * One audit record in its canonical (hashed and exported) form: the column names of
 * `audit_record`, every value a string or null. `seq` is a decimal string without leading
 * zeros; `occurred_at` is an ISO 8601 UTC timestamp with milliseconds (`2025-01-31T09:05:00.120Z`).
 */
export interface AuditRecordJson {
  seq: string;
  id: string;
  occurred_at: string;
  service: string;
  node: string;
  actor_subject: string | null;
  actor_client_id: string | null;
  actor_partner_id: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  purpose: string | null;
  outcome: AuditOutcome;
  request_id: string | null;
  traceparent: string | null;
  prev_hash: string;
  hash: string;
}

export type UnhashedAuditRecord = Omit<AuditRecordJson, 'hash'>;

/** Keys covered by `hash`, in the (code-point sorted) order of the canonical encoding. */
export const AUDIT_HASHED_FIELDS = [
  'action',
  'actor_client_id',
  'actor_partner_id',
  'actor_subject',
  'id',
  'node',
  'object_id',
  'object_type',
  'occurred_at',
  'outcome',
  'prev_hash',
  'purpose',
  'request_id',
  'seq',
  'service',
  'traceparent',
] as const satisfies readonly (keyof UnhashedAuditRecord)[];

/** Keys of an exported JSON line (the hashed fields plus `hash`), sorted. */
export const AUDIT_RECORD_FIELDS = [
  'action',
  'actor_client_id',
  'actor_partner_id',
  'actor_subject',
  'hash',
  'id',
  'node',
  'object_id',
  'object_type',
  'occurred_at',
  'outcome',
  'prev_hash',
  'purpose',
  'request_id',
  'seq',
  'service',
  'traceparent',
] as const satisfies readonly (keyof AuditRecordJson)[];

/** Thrown when a value in a record is neither a string nor null. */
export class CanonicalEncodingError extends Error {
  override readonly name = 'CanonicalEncodingError';
}

function ordered(record: object, keys: readonly string[]): string {
  const out: Record<string, string | null> = {};
  for (const key of keys) {
    const value = (record as Record<string, unknown>)[key];
    if (value !== null && typeof value !== 'string') {
      throw new CanonicalEncodingError(`audit record field ${key} must be a string or null`);
    }
    out[key] = value;
  }
  return JSON.stringify(out);
}

/**
 * The canonical encoding that is hashed: a JSON object with exactly the keys of
 * AUDIT_HASHED_FIELDS in that (sorted) order, no whitespace, string or null values,
 * JSON string escaping as in RFC 8785 / ECMAScript `JSON.stringify`.
 */
export function canonicalAuditJson(record: UnhashedAuditRecord): string {
  return ordered(record, AUDIT_HASHED_FIELDS);
}

/** `hash` of a record: lower-case hex SHA-256 of the UTF-8 bytes of its canonical encoding. */
export function auditRecordHash(record: UnhashedAuditRecord): string {
  return createHash('sha256').update(canonicalAuditJson(record), 'utf8').digest('hex');
}

/** One exported JSON line (without the newline): every field including `hash`, keys sorted. */
export function auditRecordLine(record: AuditRecordJson): string {
  return ordered(record, AUDIT_RECORD_FIELDS);
}

/** `Date` → `2025-01-31T09:05:00.120Z` (the canonical timestamp format). */
export function canonicalTimestamp(date: Date): string {
  return date.toISOString();
}
