import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { auditRecordLine } from './canonical';
import { checkPageSize, readRecordPage, type SqlQueryable } from './sql';
import type { ChainHead } from './verify';

export interface ExportOptions {
  /** First seq to export (inclusive, default 1). */
  from?: number;
  /** Last seq to export (inclusive, default: the current head). */
  to?: number;
  /** Records read per query (default 1000). */
  pageSize?: number;
}

export interface ExportResult {
  count: number;
  /** First and last exported record; null when nothing was exported. */
  first: ChainHead | null;
  last: ChainHead | null;
}

function checkSeq(value: number | undefined, what: string): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) throw new RangeError(`${what} must be a positive integer`);
}

/**
 * Writes `audit_record` in seq order as JSON lines (one record per line, keys sorted, exactly
 * the canonical fields plus `hash`; see auditRecordLine), reading page by page and honouring
 * back-pressure. Records are exported as stored, unverified. Does not end `out`.
 */
export async function exportChain(source: SqlQueryable, out: Writable, options: ExportOptions = {}): Promise<ExportResult> {
  checkSeq(options.from, 'from');
  checkSeq(options.to, 'to');
  const pageSize = checkPageSize(options.pageSize);
  let after = String((options.from ?? 1) - 1);
  const to = options.to === undefined ? null : String(options.to);
  const result: ExportResult = { count: 0, first: null, last: null };
  for (;;) {
    const rows = await readRecordPage(source, after, pageSize, to);
    if (rows.length === 0) return result;
    const chunk = rows.map((r) => `${auditRecordLine(r)}\n`).join('');
    if (!out.write(chunk)) await once(out, 'drain');
    result.first ??= { seq: Number(rows[0].seq), hash: rows[0].hash };
    const last = rows[rows.length - 1];
    result.last = { seq: Number(last.seq), hash: last.hash };
    result.count += rows.length;
    if (rows.length < pageSize) return result;
    after = last.seq;
  }
}
