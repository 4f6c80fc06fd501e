import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { withDatabase } from '../config/load-config';
import { sqlStateOf } from './database-errors';
import { ensureDatabase, quoteIdentifier } from './ensure-database';
import { preparedStatementName, queryPrepared } from './prepared';

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// This run's test prefix, `puente_test_<run>_`, set by Jest's global setup (libs/testing).
const DATABASE = `${process.env.PUENTE_DB_PREFIX as string}prepared_${randomBytes(4).toString('hex')}`;

const INSERT = 'INSERT INTO spec_row (id, label) VALUES ($1, $2) RETURNING id, label';
const PREPARED_HERE = 'SELECT name, statement FROM pg_prepared_statements';

describe('queryPrepared (real PostgreSQL)', () => {
  let db: DataSource;

  beforeAll(async () => {
    await ensureDatabase(SERVER_URL, DATABASE);
    db = new DataSource({ type: 'postgres', url: withDatabase(SERVER_URL, DATABASE), synchronize: false, logging: false, extra: { max: 3 } });
    await db.initialize();
    await db.query('CREATE TABLE spec_row (id int PRIMARY KEY, label text NOT NULL)');
  });

  afterAll(async () => {
    await db?.destroy();
    const admin = new Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(DATABASE)} WITH (FORCE)`);
    await admin.end();
  });

  it('names a statement by its text: equal texts share one name, different texts do not', () => {
    const name = preparedStatementName(INSERT);
    expect(name).toMatch(/^puente_[0-9a-f]{32}$/);
    expect(preparedStatementName(`${INSERT}`)).toBe(name);
    expect(preparedStatementName(`${INSERT} `)).not.toBe(name);
  });

  it('runs in autocommit on a pooled connection and returns the rows as pg reads them', async () => {
    expect(await queryPrepared(db.manager, INSERT, [1, 'uno'])).toEqual([{ id: 1, label: 'uno' }]);
    expect(await queryPrepared(db.manager, INSERT, [2, 'dos'])).toEqual([{ id: 2, label: 'dos' }]);
    expect(await db.query('SELECT id FROM spec_row WHERE id IN (1, 2) ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it("runs on the transaction's own connection, where it is prepared once, and rolls back with it", async () => {
    const failure = new Error('roll back');
    await expect(
      db.transaction(async (tx) => {
        await queryPrepared(tx, INSERT, [10, 'diez']);
        await queryPrepared(tx, INSERT, [11, 'once']);
        // The same connection sees its uncommitted rows and holds the statement once, under its name.
        expect(await tx.query('SELECT count(*)::int AS n FROM spec_row WHERE id IN (10, 11)')).toEqual([{ n: 2 }]);
        const prepared = (await tx.query(PREPARED_HERE)) as { name: string; statement: string }[];
        expect(prepared.filter((p) => p.name === preparedStatementName(INSERT))).toEqual([{ name: preparedStatementName(INSERT), statement: INSERT }]);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await db.query('SELECT count(*)::int AS n FROM spec_row WHERE id IN (10, 11)')).toEqual([{ n: 0 }]);
  });

  it("fails as EntityManager.query does: TypeORM's QueryFailedError with the SQLSTATE, and nothing written", async () => {
    await queryPrepared(db.manager, INSERT, [20, 'veinte']);
    const error = await queryPrepared(db.manager, INSERT, [20, 'otra vez']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(sqlStateOf(error)).toBe('23505');
    expect(await db.query('SELECT label FROM spec_row WHERE id = 20')).toEqual([{ label: 'veinte' }]);
    // A statement that cannot be prepared fails the same way, and the next one still runs.
    const missing = await queryPrepared(db.manager, 'SELECT * FROM no_such_table', []).catch((e: unknown) => e);
    expect(sqlStateOf(missing)).toBe('42P01');
    expect(await queryPrepared(db.manager, 'SELECT count(*)::int AS n FROM spec_row WHERE id = $1', [20])).toEqual([{ n: 1 }]);
  });

  it('refuses a released query runner instead of taking another connection', async () => {
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.release();
    await expect(queryPrepared(runner.manager, INSERT, [30, 'treinta'])).rejects.toBeInstanceOf(QueryRunnerAlreadyReleasedError);
    expect(await db.query('SELECT count(*)::int AS n FROM spec_row WHERE id = 30')).toEqual([{ n: 0 }]);
  });

  it('stops naming new texts past its bound (each connection keeps what it prepared), and still runs them', async () => {
    for (let i = 0; i < 300; i++) preparedStatementName(`SELECT ${i} AS n`);
    const past = 'SELECT $1::int + 1 AS n';
    expect(preparedStatementName(past)).toBeUndefined();
    expect(preparedStatementName(INSERT)).toMatch(/^puente_/);
    expect(await queryPrepared(db.manager, past, [41])).toEqual([{ n: 42 }]);
  });
});
