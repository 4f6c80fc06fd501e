import { Client } from 'pg';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';

export function serverUrl(): string {
  return process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
}

/**
 * This run's database prefix, `puente_test_<run>_`, which Jest's global setup puts in
 * PUENTE_DB_PREFIX in place of whatever the shell exported (tools/infra/postgres.mjs).
 */
export function testDatabasePrefix(): string {
  const prefix = process.env.PUENTE_DB_PREFIX ?? '';
  if (!/^puente_test_[a-z0-9]{1,20}_$/.test(prefix)) {
    throw new Error(`PUENTE_DB_PREFIX is ${JSON.stringify(prefix)}, not a test run's prefix: run tests through Jest's global setup (jest.preset.js)`);
  }
  return prefix;
}

export function testDatabaseName(name: string): string {
  return `${testDatabasePrefix()}${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
}

/** URL of database `dbName` on the test server. */
export function databaseUrl(dbName: string): string {
  const u = new URL(serverUrl());
  u.pathname = `/${dbName}`;
  return u.toString();
}

/** Drops and recreates a test database so each suite starts empty. */
export async function freshDatabase(name: string): Promise<string> {
  const dbName = testDatabaseName(name);
  const admin = new Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${dbName}"`);
  } finally {
    await admin.end();
  }
  return databaseUrl(dbName);
}

export interface TestDataSourceOptions {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  /** Keep the existing database (e.g. a second process joining the same test). */
  reuse?: boolean;
}

/** A TypeORM DataSource on a fresh test database, migrated explicitly (never synchronize). */
export async function openTestDataSource(o: TestDataSourceOptions): Promise<DataSource> {
  const url = o.reuse ? databaseUrl(testDatabaseName(o.name)) : await freshDatabase(o.name);
  const ds = new DataSource({
    type: 'postgres',
    url,
    entities: o.entities,
    migrations: o.migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: 10 },
  });
  await ds.initialize();
  await ds.runMigrations();
  return ds;
}

/**
 * True once a session of `db`'s database waits for a lock (pg_stat_activity): the barrier for
 * tests that prove a statement blocks behind another transaction, instead of sleeping.
 */
export async function someoneWaitsForALock(db: { query(sql: string): Promise<{ n: number }[]> }): Promise<boolean> {
  const [{ n }] = await db.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
  return n > 0;
}
