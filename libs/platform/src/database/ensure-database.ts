import { Client } from 'pg';
import { redactUrl } from '../config/load-config';

/** PostgreSQL SQLSTATEs that mean "someone else created it first". */
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505'; // concurrent CREATE DATABASE can surface as pg_database_datname_index

/** Thrown when the PostgreSQL server cannot be reached or refuses the connection. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

/** Quotes an SQL identifier (doubles embedded quotes). */
export function quoteIdentifier(identifier: string): string {
  if (identifier.length === 0 || identifier.includes('\u0000')) {
    throw new Error('Invalid SQL identifier');
  }
  return `"${identifier.replace(/"/g, '""')}"`;
}

/**
 * Creates database `dbName` on the server at `serverUrl` when it does not exist yet.
 * Safe to run from several processes at once. Returns true when this call created it.
 */
export async function ensureDatabase(serverUrl: string, dbName: string): Promise<boolean> {
  if (Buffer.byteLength(dbName, 'utf8') > 63) {
    throw new Error(`Database name "${dbName}" is longer than PostgreSQL's 63-byte limit`);
  }
  const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    const reason =
      (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
    throw new DatabaseUnavailableError(
      `Cannot connect to PostgreSQL at ${redactUrl(serverUrl)} (${reason}). ` +
        'Start a PostgreSQL server on 127.0.0.1:5432 or set DATABASE_URL to the URL of a reachable server ' +
        '(for example postgres://postgres@127.0.0.1:5432/postgres).',
    );
  }
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (existing.rowCount && existing.rowCount > 0) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdentifier(dbName)}`);
      return true;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION) return false;
      throw error;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
