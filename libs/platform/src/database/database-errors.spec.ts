import fc from 'fast-check';
import { Client } from 'pg';
import { QueryFailedError } from 'typeorm';
import { serializeError } from '../observability/logging';
import { isConcurrencyAbort, isDatabaseUnavailable, isUniqueViolation, sqlStateOf } from './database-errors';

const SERVER = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** The error a real query raises on the real server. */
async function errorOf(sql: string, params: unknown[] = []): Promise<Error> {
  const client = new Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql, params);
  } catch (error) {
    return error as Error;
  } finally {
    await client.end().catch(() => undefined);
  }
  throw new Error(`${sql} did not fail`);
}

describe('database errors (real PostgreSQL)', () => {
  it('a server that is not there is unavailable (ECONNREFUSED), not a bug', async () => {
    const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', connectionTimeoutMillis: 2000 });
    const error = await client.connect().then(
      () => null,
      (e: Error) => e,
    );
    expect(error).not.toBeNull();
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(sqlStateOf(error)).toBeUndefined();
  });

  it('a session the server ends (57P01 admin shutdown) is unavailable, also wrapped by TypeORM', async () => {
    const client = new Client({ connectionString: SERVER });
    await client.connect();
    client.on('error', () => undefined);
    const error = await client.query('SELECT pg_terminate_backend(pg_backend_pid())').then(
      () => null,
      (e: Error) => e,
    );
    await client.end().catch(() => undefined);
    expect(error).not.toBeNull();
    expect(isDatabaseUnavailable(error)).toBe(true);
    const wrapped = new QueryFailedError('SELECT 1', [], error as Error);
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
  });

  it('a wrong query or a constraint is not unavailability, and its SQLSTATE is found through the wrapper', async () => {
    const syntax = await errorOf('SELEC 1');
    expect(sqlStateOf(syntax)).toBe('42601');
    expect(isDatabaseUnavailable(syntax)).toBe(false);
    const division = await errorOf('SELECT 1/0');
    expect(sqlStateOf(new QueryFailedError('SELECT 1/0', [], division))).toBe('22012');
    expect(isDatabaseUnavailable(new QueryFailedError('SELECT 1/0', [], division))).toBe(false);
    expect(isDatabaseUnavailable(new Error('something else'))).toBe(false);
  });

  it('never throws and never calls a socket code a SQLSTATE, whatever is thrown', () => {
    fc.assert(
      fc.property(fc.anything(), (thrown) => {
        expect(typeof isDatabaseUnavailable(thrown)).toBe('boolean');
        const state = sqlStateOf(thrown);
        expect(state === undefined || /^[0-9A-Z]{5}$/.test(state)).toBe(true);
      }),
    );
    expect(sqlStateOf(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBeUndefined();
    expect(isDatabaseUnavailable(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(true);
  });
});

describe('serializeError: errors in logs without the data they may quote', () => {
  it('keeps the SQLSTATE and object names of a database error, drops its message, detail, query and parameters', async () => {
    const secret = 'Ximena Quispe Mamani';
    const invalid = await errorOf('SELECT $1::int', [secret]);
    expect(invalid.message).toContain(secret); // PostgreSQL does quote the value...
    const wrapped = new QueryFailedError('SELECT $1::int', [secret], invalid);
    const logged = JSON.stringify(serializeError(wrapped));
    expect(logged).not.toContain(secret); // ...and the log line does not
    expect(serializeError(wrapped)).toMatchObject({ type: 'QueryFailedError', code: '22P02', message: 'database error 22P02' });

    const duplicate = (await errorOf(`CREATE TEMP TABLE person_name (name text UNIQUE); INSERT INTO person_name VALUES ('${secret}'), ('${secret}')`)) as Error & { detail?: string };
    expect(duplicate.detail).toContain(secret);
    expect(serializeError(duplicate)).toMatchObject({ code: '23505', table: 'person_name', constraint: 'person_name_name_key' });
    expect(JSON.stringify(serializeError(duplicate))).not.toContain(secret);
  });

  it('keeps the message, code and frames of other errors, and follows causes', () => {
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const error = new Error('broker request failed', { cause });
    const out = serializeError(error);
    expect(out).toMatchObject({ type: 'Error', message: 'broker request failed', cause: { type: 'Error', code: 'ECONNRESET', message: 'socket hang up' } });
    expect(String(out.stack)).toMatch(/^\s+at /);
    expect(String(out.stack)).not.toContain('broker request failed');
    expect(serializeError('a string')).toEqual({ type: 'string' });
  });
});

describe('unique violations and concurrency aborts (real PostgreSQL)', () => {
  it('finds a unique violation by constraint through the TypeORM wrapper, and a real serialization failure', async () => {
    const duplicate = await errorOf(`CREATE TEMP TABLE site (code text CONSTRAINT site_code_key UNIQUE); INSERT INTO site VALUES ('GT-MRC-01'), ('GT-MRC-01')`);
    const wrapped = new QueryFailedError('INSERT ...', [], duplicate);
    expect(isUniqueViolation(wrapped)).toBe(true);
    expect(isUniqueViolation(wrapped, 'site_code_key')).toBe(true);
    expect(isUniqueViolation(wrapped, 'other_key')).toBe(false);
    expect(isConcurrencyAbort(wrapped)).toBe(false);

    // Two SERIALIZABLE transactions that read what the other writes: PostgreSQL aborts one (40001).
    const setup = new Client({ connectionString: SERVER });
    await setup.connect();
    const table = `ser_${process.pid}_${Date.now()}`;
    await setup.query(`CREATE TABLE ${table} (k int, v int)`);
    const [a, b] = [new Client({ connectionString: SERVER }), new Client({ connectionString: SERVER })];
    await a.connect();
    await b.connect();
    try {
      await a.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await b.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await a.query(`SELECT sum(v) FROM ${table} WHERE k = 1`);
      await b.query(`SELECT sum(v) FROM ${table} WHERE k = 2`);
      await a.query(`INSERT INTO ${table} VALUES (2, 1)`);
      // Where PostgreSQL detects it (b's insert or b's commit) is its business: one of them fails.
      const aborted = await (async () => {
        try {
          await b.query(`INSERT INTO ${table} VALUES (1, 1)`);
          await a.query('COMMIT');
          await b.query('COMMIT');
          return null;
        } catch (e) {
          await a.query('ROLLBACK').catch(() => undefined);
          await b.query('ROLLBACK').catch(() => undefined);
          return e as Error;
        }
      })();
      expect(aborted).not.toBeNull();
      expect(isConcurrencyAbort(new QueryFailedError('COMMIT', [], aborted as Error))).toBe(true);
      expect(isDatabaseUnavailable(aborted)).toBe(false);
    } finally {
      await Promise.all([a.end(), b.end()]);
      await setup.query(`DROP TABLE ${table}`);
      await setup.end();
    }
  });
});
