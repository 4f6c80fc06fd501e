// Finds the PostgreSQL server Puente uses: DATABASE_URL when set, else the local server on
// 127.0.0.1:5432. Each service creates its own database on start (libs/platform).
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'));
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export async function ensurePostgres() {
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const { Client } = require('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query('SHOW server_version');
    return { url, version: rows[0].server_version };
  } catch (e) {
    throw new Error(
      `PostgreSQL: cannot connect to ${redact(url)} (${e.code ?? e.message}). ` +
        'Start a local server on 127.0.0.1:5432 (user postgres, trust auth), or set ' +
        'DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/postgres to use another one.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops every database whose name starts with prefix (test clean-up). */
export async function dropDatabases(prefix) {
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const { Client } = require('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname.replace(/"/g, '""')}" WITH (FORCE)`);
    }
    return rows.length;
  } finally {
    await client.end();
  }
}

function redact(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
