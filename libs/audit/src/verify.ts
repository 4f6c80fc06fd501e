import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { AUDIT_RECORD_FIELDS, auditRecordHash, GENESIS_HASH, type AuditRecordJson } from './canonical';
import { checkPageSize, queryRows, readRecordPage, type SqlQueryable } from './sql';

/** Position and hash of a chain's last record; keep one from each verification or export. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * Why the chain is broken at `brokenAt`:
 * - `hash-mismatch`: the record's content does not match its hash (edited, or not a valid record)
 * - `prev-hash-mismatch`: the record is intact but does not link to its predecessor's hash
 *   (the predecessor was edited and re-hashed, or records were replaced)
 * - `gap`: record `brokenAt` is missing (deleted)
 * - `reordered`: the record at `brokenAt` links to a record at another position (seq values swapped)
 * - `truncated`: the chain ends before the expected head: records from `brokenAt` on are missing
 * - `head-mismatch`: the record at the expected head position has another hash (rewritten chain)
 */
export type ChainBreakReason = 'hash-mismatch' | 'prev-hash-mismatch' | 'gap' | 'reordered' | 'truncated' | 'head-mismatch';

export type ChainVerification =
  | { ok: true; count: number; head: ChainHead | null }
  | { ok: false; brokenAt: number; reason: ChainBreakReason; /** records verified before the break */ count: number };

export interface VerifyOptions {
  /**
   * A head recorded earlier (e.g. from the last export). The chain must still contain that record
   * with that hash; otherwise it was truncated (`truncated`) or rewritten (`head-mismatch`).
   * Without it, deleting the newest records is undetectable: the rest is a valid shorter chain.
   */
  expectedHead?: ChainHead;
  /** Records read per query (default 1000). */
  pageSize?: number;
}

export interface VerifyExportOptions {
  /**
   * Last record of the previous export: the file must continue it (first seq = anchor.seq + 1,
   * first prev_hash = anchor.hash). Without an anchor, a file starting at seq 1 must start from
   * the genesis hash and a file starting later is only checked from its first record on.
   */
  anchor?: ChainHead;
  expectedHead?: ChainHead;
}

interface CoreOptions {
  anchor: ChainHead | 'first-record';
  expectedHead?: ChainHead;
  /** Seq of the record whose hash is `hash`, if any (used to recognise reordered records). */
  findSeqByHash?: (hash: string) => Promise<number | undefined>;
}

const SEQ_PATTERN = /^[1-9][0-9]{0,15}$/;

function seqOf(value: unknown): number | undefined {
  return typeof value === 'string' && SEQ_PATTERN.test(value) ? Number(value) : undefined;
}

function safeHash(record: AuditRecordJson): string | undefined {
  try {
    return auditRecordHash(record);
  } catch {
    return undefined;
  }
}

/** Checks records given in chain order; stops at the first broken one. */
async function verifyRecords(records: AsyncIterable<AuditRecordJson | undefined>, options: CoreOptions): Promise<ChainVerification> {
  let prev: ChainHead | undefined = options.anchor === 'first-record' ? undefined : options.anchor;
  let count = 0;
  const broken = (brokenAt: number, reason: ChainBreakReason): ChainVerification => ({ ok: false, brokenAt, reason, count });

  for await (const record of records) {
    const seq = record ? seqOf(record.seq) : undefined;
    if (!prev) {
      // Partial export without an anchor: trust where the first record says it starts.
      prev = seq === undefined || seq === 1 ? { seq: 0, hash: GENESIS_HASH } : { seq: seq - 1, hash: record?.prev_hash ?? '' };
    }
    const expected = prev.seq + 1;
    if (!record || seq === undefined) return broken(expected, 'hash-mismatch');
    if (seq < expected) return broken(seq, 'reordered');
    if (seq > expected) return broken(expected, 'gap');

    const linked = record.prev_hash === prev.hash;
    if (!linked && options.findSeqByHash) {
      const predecessor = await options.findSeqByHash(record.prev_hash);
      if (predecessor !== undefined && predecessor !== prev.seq) return broken(seq, 'reordered');
    }
    if (safeHash(record) !== record.hash) return broken(seq, 'hash-mismatch');
    if (!linked) return broken(seq, 'prev-hash-mismatch');
    if (options.expectedHead && seq === options.expectedHead.seq && record.hash !== options.expectedHead.hash) {
      return broken(seq, 'head-mismatch');
    }
    prev = { seq, hash: record.hash };
    count += 1;
  }
  if (options.expectedHead && (prev?.seq ?? 0) < options.expectedHead.seq) return broken((prev?.seq ?? 0) + 1, 'truncated');
  return { ok: true, count, head: count > 0 && prev ? prev : null };
}

async function* pages(source: SqlQueryable, pageSize: number): AsyncGenerator<AuditRecordJson> {
  let after = '0';
  for (;;) {
    const rows = await readRecordPage(source, after, pageSize, null);
    yield* rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].seq;
  }
}

/**
 * Recomputes the chain stored in `audit_record` in seq order, reading it page by page, and
 * names the first broken record. `source`: DataSource, EntityManager, pg Client or Pool.
 */
export async function verifyChain(source: SqlQueryable, options: VerifyOptions = {}): Promise<ChainVerification> {
  const pageSize = checkPageSize(options.pageSize);
  return verifyRecords(pages(source, pageSize), {
    anchor: { seq: 0, hash: GENESIS_HASH },
    expectedHead: options.expectedHead,
    findSeqByHash: async (hash) => {
      const [row] = await queryRows<{ seq: string }>(source, 'SELECT seq::text AS seq FROM audit_record WHERE hash = $1 ORDER BY audit_record.seq LIMIT 1', [hash]);
      return row ? Number(row.seq) : undefined;
    },
  });
}

function parseLine(line: string): AuditRecordJson | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  // Exactly the known fields: anything else would not be covered by the hash.
  if (keys.length !== AUDIT_RECORD_FIELDS.length || !AUDIT_RECORD_FIELDS.every((k) => keys.includes(k))) return undefined;
  return value as AuditRecordJson;
}

async function* lines(input: Readable | AsyncIterable<string>): AsyncGenerator<AuditRecordJson | undefined> {
  const source = 'pipe' in input ? createInterface({ input: input as Readable, crlfDelay: Infinity }) : input;
  for await (const line of source) {
    if (line.trim() === '') continue;
    yield parseLine(line);
  }
}

/** Verifies a JSON-lines export (as written by exportChain) without database access. */
export async function verifyExport(input: Readable | AsyncIterable<string>, options: VerifyExportOptions = {}): Promise<ChainVerification> {
  return verifyRecords(lines(input), { anchor: options.anchor ?? 'first-record', expectedHead: options.expectedHead });
}

/** `42:3f0c…` → `{ seq: 42, hash: '3f0c…' }` (the CLI's `--expect-head` / `--anchor` format). */
export function parseChainHead(text: string): ChainHead {
  const match = /^([1-9][0-9]{0,15}):([0-9a-f]{64})$/.exec(text.trim());
  if (!match) throw new RangeError('a chain head is written <seq>:<64 lower-case hex digits>');
  return { seq: Number(match[1]), hash: match[2] };
}

export function formatChainHead(head: ChainHead): string {
  return `${head.seq}:${head.hash}`;
}
