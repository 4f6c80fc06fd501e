import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { WhereClause } from 'typeorm/query-builder/WhereClause';
import { type CursorKeyType, type CursorSchema, type CursorValues, decodeCursor, encodeCursor, isValidCursorValue } from './cursor';
import { MAX_PAGE_LIMIT } from './page-query.dto';
import type { Page } from './page.dto';

/** One sort column: SQL expression (`c.created_at`), its key in the cursor (`t`) and type. */
export interface SortKey {
  column: string;
  key: string;
  /** Default `string`. `timestamp` is for timestamptz columns (microseconds are kept). */
  type?: CursorKeyType;
}

export interface PaginateOptions {
  limit: number;
  /** `nextCursor` of the previous page; undefined or empty for the first page. */
  cursor?: string;
  /**
   * Sort columns, most significant first; the last one must be unique (e.g. the id) so the
   * order is total. Every column must be NOT NULL.
   */
  sort: readonly SortKey[];
  /** One direction for all columns (a row-value comparison needs that). Default `asc`. */
  direction?: 'asc' | 'desc';
  /**
   * Identifies the list and its filters (e.g. `cases?status=open`); a cursor is only accepted
   * by the list and sort order it was made for.
   */
  scope?: string;
}

const PARAM_PREFIX = 'puenteCursor';

function cursorExpression(key: SortKey): string {
  if (key.type === 'timestamp') {
    return `to_char((${key.column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  }
  return `(${key.column})::text`;
}

function cursorScope(options: PaginateOptions, direction: 'asc' | 'desc'): string {
  const sort = options.sort.map((s) => `${s.column}:${s.key}:${s.type ?? 'string'}`).join(',');
  return `${options.scope ?? ''}|${direction}|${sort}`;
}

/**
 * Keyset (seek) pagination of a TypeORM select: orders by `sort`, continues strictly after the
 * cursor row with a row-value comparison `(c.created_at, c.id) > (:t, :id)` and fetches one row
 * more than `limit` to know whether there is a next page.
 *
 * Stable while the table changes: a page never repeats or skips a row that existed throughout;
 * rows inserted before the cursor position are not returned, rows inserted after it are.
 * The builder's existing WHERE (including OR conditions) is kept, bracketed; its ORDER BY and
 * LIMIT are replaced. Joins must not multiply rows (load one-to-many relations separately).
 */
export async function paginate<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, options: PaginateOptions): Promise<Page<T>> {
  const { limit, sort } = options;
  const direction = options.direction ?? 'asc';
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new RangeError(`paginate(): limit must be an integer between 1 and ${MAX_PAGE_LIMIT}`);
  }
  if (sort.length === 0) throw new RangeError('paginate(): at least one sort column is required');
  if (new Set(sort.map((s) => s.key)).size !== sort.length) throw new RangeError('paginate(): sort keys must be distinct');
  const schema: CursorSchema = Object.fromEntries(sort.map((s) => [s.key, s.type ?? 'string']));
  const scope = cursorScope(options, direction);

  const query = qb.clone();
  if (options.cursor) {
    const after = decodeCursor(options.cursor, schema, scope);
    const existing = query.expressionMap.wheres;
    if (existing.length > 0) query.expressionMap.wheres = [{ type: 'simple', condition: existing } as WhereClause];
    const columns = sort.map((s) => s.column).join(', ');
    const params = sort.map((_, i) => `:${PARAM_PREFIX}${i}`).join(', ');
    query.andWhere(
      `(${columns}) ${direction === 'asc' ? '>' : '<'} (${params})`,
      Object.fromEntries(sort.map((s, i) => [`${PARAM_PREFIX}${i}`, after[s.key]])),
    );
  }
  const order = direction === 'asc' ? 'ASC' : 'DESC';
  query.orderBy(sort[0].column, order);
  for (const s of sort.slice(1)) query.addOrderBy(s.column, order);
  sort.forEach((s, i) => query.addSelect(cursorExpression(s), `${PARAM_PREFIX}${i}`));
  query.offset(undefined).skip(undefined).take(undefined).limit(limit + 1);

  const { entities, raw } = await query.getRawAndEntities();
  if (entities.length !== raw.length) {
    throw new Error('paginate(): the query returns several rows per entity; joins must not multiply rows');
  }
  const hasMore = entities.length > limit;
  const items = entities.slice(0, limit);
  let nextCursor: string | null = null;
  if (hasMore) {
    const last = raw[limit - 1] as Record<string, unknown>;
    const keys: CursorValues = {};
    sort.forEach((s, i) => {
      const value = last[`${PARAM_PREFIX}${i}`];
      if (typeof value !== 'string' || !isValidCursorValue(s.type ?? 'string', value)) {
        throw new Error(`paginate(): sort column ${s.column} is NULL or not of type ${s.type ?? 'string'}`);
      }
      keys[s.key] = value;
    });
    nextCursor = encodeCursor(keys, scope);
  }
  return { items, nextCursor };
}
