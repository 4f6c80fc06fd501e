import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { withDatabase } from '../config/load-config';
import { DatabaseUnavailableError, ensureDatabase, quoteIdentifier } from './ensure-database';
import { initializeDataSourceLocked } from './migration-lock';

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// This run's test prefix, `puente_test_<run>_`, set by Jest's global setup (libs/testing).
const PREFIX = process.env.PUENTE_DB_PREFIX as string;

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const exists = (name: string) =>
  admin(async (c) => ((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0);
const drop = (name: string) => admin((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`));

describe('ensureDatabase (real PostgreSQL)', () => {
  const created: string[] = [];
  const fresh = (suffix: string) => {
    const name = `${PREFIX}ens_${randomBytes(4).toString('hex')}${suffix}`;
    created.push(name);
    return name;
  };

  afterAll(async () => {
    for (const name of created) await drop(name);
  });

  it('creates a missing database once and is idempotent', async () => {
    const name = fresh('');
    expect(await ensureDatabase(SERVER_URL, name)).toBe(true);
    expect(await exists(name)).toBe(true);
    expect(await ensureDatabase(SERVER_URL, name)).toBe(false);
  });

  it('tolerates concurrent creation', async () => {
    const name = fresh('_race');
    const results = await Promise.all(Array.from({ length: 6 }, () => ensureDatabase(SERVER_URL, name)));
    expect(results.filter(Boolean).length).toBe(1);
    expect(await exists(name)).toBe(true);
  });

  it('quotes the identifier safely', async () => {
    const name = fresh('"; DROP DATABASE postgres; --');
    expect(await ensureDatabase(SERVER_URL, name)).toBe(true);
    expect(await exists(name)).toBe(true);
    expect(await exists('postgres')).toBe(true);
  });

  it('rejects names longer than 63 bytes', async () => {
    await expect(ensureDatabase(SERVER_URL, 'x'.repeat(64))).rejects.toThrow(/63-byte/);
  });

  it('explains an unreachable server', async () => {
    await expect(ensureDatabase('postgres://postgres:pw@127.0.0.1:1/postgres', 'whatever')).rejects.toBeInstanceOf(
      DatabaseUnavailableError,
    );
    await expect(ensureDatabase('postgres://postgres:pw@127.0.0.1:1/postgres', 'whatever')).rejects.toThrow(
      /DATABASE_URL/,
    );
  });
});

class SlowMigration1700000000001 implements MigrationInterface {
  name = 'SlowMigration1700000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE lock_probe (id int PRIMARY KEY)');
    await q.query('SELECT pg_sleep(0.2)');
    await q.query('INSERT INTO lock_probe VALUES (1)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE lock_probe');
  }
}

describe('initializeDataSourceLocked', () => {
  const name = `${PREFIX}lock_${randomBytes(4).toString('hex')}`;
  afterAll(() => drop(name));

  it('runs migrations exactly once when replicas start together', async () => {
    await ensureDatabase(SERVER_URL, name);
    const url = withDatabase(SERVER_URL, name);
    const options = {
      type: 'postgres' as const,
      url,
      entities: [],
      migrations: [SlowMigration1700000000001],
      migrationsRun: true,
      migrationsTransactionMode: 'each' as const,
      synchronize: false,
      logging: false,
    };
    const sources: DataSource[] = await Promise.all([
      initializeDataSourceLocked(url, options),
      initializeDataSourceLocked(url, options),
      initializeDataSourceLocked(url, options),
    ]);
    try {
      const [{ count }] = await sources[0].query('SELECT count(*)::int AS count FROM migrations');
      expect(count).toBe(1);
      const rows = await sources[0].query('SELECT id FROM lock_probe');
      expect(rows).toEqual([{ id: 1 }]);
    } finally {
      await Promise.all(sources.map((s) => s.destroy()));
    }
  });
});
