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

// Test databases are `puente_test_<run>_<name>`: <run> is PUENTE_TEST_RUN (lower-case letters and
// digits, so one run's prefix can never be the start of another's) or `ci`. The shell's
// PUENTE_DB_PREFIX is ignored on purpose: a developer who exports `puente_` for `npm start` must
// not lose their databases to a test run's clean-up.
export const TEST_DATABASE_ROOT = 'puente_test_';
const TEST_RUN = /^[a-z0-9]{1,20}$/;

/** This run's test database prefix, from PUENTE_TEST_RUN (default `ci`). */
export function testDatabasePrefix(env = process.env) {
  const run = env.PUENTE_TEST_RUN || 'ci';
  if (!TEST_RUN.test(run)) {
    throw new Error(`PUENTE_TEST_RUN must be 1 to 20 lower-case letters or digits (got ${JSON.stringify(run)})`);
  }
  return `${TEST_DATABASE_ROOT}${run}_`;
}

/** A LIKE pattern matching names that start with `prefix`: `_`, `%` and `\` taken literally. */
export function startsWithPattern(prefix) {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Drops this test run's databases (names starting with a prefix from testDatabasePrefix) and
 * nothing else: not a developer's, not another concurrent run's. Refuses while any of them has
 * a session open (a run of the same name going on). Returns the names dropped.
 */
export async function dropTestDatabases(prefix) {
  if (!new RegExp(`^${TEST_DATABASE_ROOT}[a-z0-9]{1,20}_$`).test(prefix)) {
    throw new Error(`refusing to drop databases by prefix ${JSON.stringify(prefix)}: not a test run's prefix`);
  }
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const { Client } = require('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE $1 ESCAPE '\\'", [startsWithPattern(prefix)]);
    const names = rows.map((r) => r.datname).filter((n) => n.startsWith(prefix));
    // Sessions on them mean a run with the same name is going on (a second `npx jest` during
    // `npm test`, both `ci`): dropping would fail every suite of that run half-way.
    const { rows: sessions } = await client.query(
      `SELECT datname, count(*)::int AS n FROM pg_stat_activity WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid() GROUP BY datname ORDER BY datname`,
      [names],
    );
    if (sessions.length > 0) {
      const where = sessions.map((r) => `${r.datname} (${r.n})`).join(', ');
      throw new Error(
        `test databases ${prefix}* are in use by another test run (sessions on ${where}). ` +
          'Give this run its own name (PUENTE_TEST_RUN=<letters and digits>), or end the other run first.',
      );
    }
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
    return names;
  } finally {
    await client.end();
  }
}

function redact(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
