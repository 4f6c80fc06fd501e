import type { AuditRecordJson } from './canonical';

/**
 * Anything that runs parameterized SQL: a TypeORM DataSource or EntityManager (resolves to the
 * rows) or a node-postgres Client or Pool (resolves to `{ rows }`).
 */
export interface SqlQueryable {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

export async function queryRows<T>(source: SqlQueryable, text: string, params: unknown[] = []): Promise<T[]> {
  const result = await source.query(text, params);
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown } | null)?.rows;
  if (Array.isArray(rows)) return rows as T[];
  throw new TypeError('query() returned neither rows nor a result with rows');
}

/** Selects a row of audit_record in its canonical form (all values text). */
export const CANONICAL_COLUMNS = `
  seq::text AS seq,
  id::text AS id,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at,
  service, node, actor_subject, actor_client_id, actor_partner_id, action, object_type, object_id,
  purpose, outcome, request_id, traceparent, prev_hash, hash`;

/** Up to `limit` records with `after < seq <= to`, in seq order, in canonical form. */
export function readRecordPage(source: SqlQueryable, after: string, limit: number, to: string | null): Promise<AuditRecordJson[]> {
  return queryRows<AuditRecordJson>(
    source,
    `SELECT ${CANONICAL_COLUMNS} FROM audit_record
     WHERE seq > $1::bigint AND ($3::bigint IS NULL OR seq <= $3::bigint) ORDER BY audit_record.seq LIMIT $2`,
    [after, limit, to],
  );
}

export function checkPageSize(pageSize: number | undefined): number {
  const size = pageSize ?? 1000;
  if (!Number.isInteger(size) || size < 1 || size > 100_000) throw new RangeError('pageSize must be an integer between 1 and 100000');
  return size;
}
