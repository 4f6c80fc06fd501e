import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * A read on the path of every request of a hot route (one row by key): a named prepared
 * statement on TypeORM's own pg pool, rows as pg returns them. TypeORM's query builder,
 * query runner and entity hydration cost several times the query itself on such a read
 * (measured: about 16% of an authenticated GET of one site). Reads only: writes stay in
 * TypeORM transactions.
 */
export async function readRows<T extends QueryResultRow>(dataSource: DataSource, statement: { name: string; text: string }, values: readonly unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const result = await pool.query<T>({ name: statement.name, text: statement.text, values: values as unknown[] });
  return result.rows;
}
