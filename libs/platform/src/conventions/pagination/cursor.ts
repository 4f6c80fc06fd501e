import { createHash } from 'node:crypto';
import type { ProblemException } from '../../http/problem';
import { validationProblem } from '../../http/validation';
import { canonicalJson } from '../canonical-json';

/** Longest accepted cursor (characters). */
export const MAX_CURSOR_LENGTH = 512;

/**
 * Type of one sort key in a cursor:
 * - `timestamp`: a `timestamptz` column, carried as ISO-8601 UTC with microseconds;
 * - `uuid`: a uuid column (lower-case canonical text);
 * - `integer`: an integer/bigint column, carried as a decimal string (exact for bigint);
 * - `string`: any other column compared as text (at most 256 characters).
 */
export type CursorKeyType = 'timestamp' | 'uuid' | 'integer' | 'string';
export type CursorValues = Record<string, string>;
/** Expected keys of a cursor and their types, e.g. `{ t: 'timestamp', id: 'uuid' }`. */
export type CursorSchema = Record<string, CursorKeyType>;

const CURSOR_VERSION = 1;
const CHECK_LENGTH = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const VALIDATORS: Record<CursorKeyType, (value: string) => boolean> = {
  timestamp: (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(v) && !Number.isNaN(Date.parse(v)),
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v),
  integer: (v) => /^-?(0|[1-9]\d{0,18})$/.test(v),
  string: (v) => v.length <= 256,
};

export function isValidCursorValue(type: CursorKeyType, value: string): boolean {
  return VALIDATORS[type](value);
}

function checksum(keys: CursorValues, scope: string): string {
  return createHash('sha256')
    .update(canonicalJson({ v: CURSOR_VERSION, k: keys, s: scope }))
    .digest('base64url')
    .slice(0, CHECK_LENGTH);
}

/** The 400 problem for an unusable cursor (field error on `cursor`). */
export function invalidCursorProblem(): ProblemException {
  return validationProblem([
    {
      field: 'cursor',
      message: 'cursor is not a cursor returned by this list (restart from the first page without cursor)',
      code: 'invalidCursor',
    },
  ]);
}

/**
 * Opaque cursor for keyset pagination: base64url of JSON `{ v, k: { <sort keys> }, c }`, where
 * `c` is a checksum over the keys and `scope` (the list, its filters and sort order), so an edited
 * cursor or one from another list is rejected. Cursors are not a security boundary: every page
 * query still applies the caller's authorization filters.
 */
export function encodeCursor(keys: CursorValues, scope = ''): string {
  const payload = { v: CURSOR_VERSION, k: keys, c: checksum(keys, scope) };
  const cursor = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  if (cursor.length > MAX_CURSOR_LENGTH) throw new RangeError(`cursor longer than ${MAX_CURSOR_LENGTH} characters`);
  return cursor;
}

/**
 * Decodes and checks a cursor made by `encodeCursor(keys, scope)`: it must have exactly the keys
 * of `schema`, each valid for its type, and a matching checksum. Anything else (garbage, edited,
 * truncated, from another list or sort order) throws a 400 problem with a field error `cursor`.
 */
export function decodeCursor(cursor: string, schema: CursorSchema, scope = ''): CursorValues {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) {
    throw invalidCursorProblem();
  }
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.toString('base64url') !== cursor) throw invalidCursorProblem();
  let payload: unknown;
  try {
    payload = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidCursorProblem();
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw invalidCursorProblem();
  const { v, k, c } = payload as { v?: unknown; k?: unknown; c?: unknown };
  if (v !== CURSOR_VERSION || typeof c !== 'string' || typeof k !== 'object' || k === null || Array.isArray(k)) {
    throw invalidCursorProblem();
  }
  const names = Object.keys(schema);
  const given = Object.keys(k);
  if (given.length !== names.length) throw invalidCursorProblem();
  const keys: CursorValues = {};
  for (const name of names) {
    if (!Object.prototype.hasOwnProperty.call(k, name)) throw invalidCursorProblem();
    const value = (k as Record<string, unknown>)[name];
    if (typeof value !== 'string' || !isValidCursorValue(schema[name], value)) throw invalidCursorProblem();
    keys[name] = value;
  }
  if (c !== checksum(keys, scope)) throw invalidCursorProblem();
  return keys;
}
