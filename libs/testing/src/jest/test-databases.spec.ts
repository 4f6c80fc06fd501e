// Jest's global setup drops the run's test databases before the run. These tests run that very
// setup in a child process, with a developer's shell (PUENTE_DB_PREFIX=puente_) and another run
// going on, and check that only this run's databases go.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { Client } from 'pg';
import { databaseUrl, serverUrl } from '../database';

const root = join(__dirname, '..', '..', '..', '..');
const postgresTools = join(root, 'tools/infra/postgres.mjs');
const globalSetup = join(__dirname, 'global-setup.js');

/** Runs `code` as an ES module in a fresh Node process; it prints one JSON value. */
function node(code: string, env: Record<string, string | undefined> = {}): { status: number | null; value: unknown; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, value: r.status === 0 ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: serverUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const existing = (names: string[]) =>
  admin(async (c) => (await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY datname', [names])).rows.map((r) => r.datname));

describe("test databases: a run drops only its own (puente_test_<run>_*)", () => {
  // A run name of our own, so this test's databases are nobody else's.
  const run = `dc${process.pid}`;
  const mine = [`puente_test_${run}_intake`, `puente_test_${run}_screening_x`];
  const others = [
    `puente_${run}_intake`, // a developer's database under PUENTE_DB_PREFIX=puente_
    `puente_test_${run}0_intake`, // run "<run>0": an unescaped `_` in LIKE would match it
    `puente_testx${run}_intake`, // `_` as a LIKE wildcard again
  ];

  beforeAll(() => admin(async (c) => {
    for (const name of [...mine, ...others]) {
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${name}"`);
    }
  }));

  afterAll(() => admin(async (c) => {
    for (const name of [...mine, ...others]) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }));

  it("ignores the shell's PUENTE_DB_PREFIX and leaves developers' and other runs' databases alone", async () => {
    const setup = node(
      `const { createRequire } = await import('node:module');
       const setup = createRequire(import.meta.url)(${JSON.stringify(globalSetup)});
       await setup();
       console.log(JSON.stringify(process.env.PUENTE_DB_PREFIX));`,
      { PUENTE_DB_PREFIX: 'puente_', PUENTE_TEST_RUN: run, KAFKA_BROKERS: process.env.KAFKA_BROKERS },
    );
    expect(setup.stderr).toBe('');
    expect(setup.value).toBe(`puente_test_${run}_`);
    expect(await existing([...mine, ...others])).toEqual([...others].sort());
  });

  it('refuses to drop the databases of a run of the same name that is going on (a session open on one), and drops them once it ended', async () => {
    const busyRun = `du${process.pid}`;
    const busy = `puente_test_${busyRun}_intake`;
    await admin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${busy}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${busy}"`);
    });
    const other = new Client({ connectionString: databaseUrl(busy) });
    await other.connect();
    const setup = () =>
      node(
        `const { createRequire } = await import('node:module');
         await createRequire(import.meta.url)(${JSON.stringify(globalSetup)})();
         console.log(JSON.stringify(process.env.PUENTE_DB_PREFIX));`,
        { PUENTE_TEST_RUN: busyRun, KAFKA_BROKERS: process.env.KAFKA_BROKERS },
      );
    try {
      const refused = setup();
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain(`test databases puente_test_${busyRun}_* are in use by another test run (sessions on ${busy} (1))`);
      expect(refused.stderr).toContain('PUENTE_TEST_RUN=');
      expect(await existing([busy])).toEqual([busy]);
    } finally {
      await other.end();
    }
    const dropped = setup();
    expect(dropped.stderr).toBe('');
    expect(await existing([busy])).toEqual([]);
  });

  it('uses `ci` without PUENTE_TEST_RUN and refuses a run name that is not lower-case letters and digits', () => {
    const prefix = (run: string | undefined) =>
      node(`const m = await import(${JSON.stringify(postgresTools)}); console.log(JSON.stringify(m.testDatabasePrefix()));`, { PUENTE_TEST_RUN: run });
    expect(prefix(undefined).value).toBe('puente_test_ci_');
    expect(prefix('h7').value).toBe('puente_test_h7_');
    for (const bad of ['H7', 'a_b', '%', "x'", 'a-b', 'x'.repeat(21)]) {
      const r = prefix(bad);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('PUENTE_TEST_RUN must be 1 to 20 lower-case letters or digits');
    }
  });

  it('refuses to drop by a prefix that is not a test run prefix', () => {
    for (const bad of ['puente_', 'puente_test_', 'puente_test_%_', '']) {
      const r = node(`const m = await import(${JSON.stringify(postgresTools)}); console.log(JSON.stringify(await m.dropTestDatabases(${JSON.stringify(bad)})));`);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('refusing to drop databases by prefix');
    }
  });

  it("startsWithPattern: PostgreSQL's LIKE with it matches exactly the names starting with the prefix (property)", async () => {
    // Characters LIKE treats specially, plus ordinary ones, so collisions are frequent.
    const text = fc.string({ unit: fc.constantFrom('_', '%', '\\', 'a', 'b', '1'), maxLength: 8 });
    const cases = fc.sample(fc.tuple(text, text, fc.boolean()), { numRuns: 400, seed: 9 }).map(([prefix, rest, related]) => ({
      prefix,
      name: related ? prefix + rest : rest,
    }));
    const patterns = node(
      `const m = await import(${JSON.stringify(postgresTools)}); console.log(JSON.stringify(${JSON.stringify(cases.map((c) => c.prefix))}.map(m.startsWithPattern)));`,
    ).value as string[];
    const like = await admin(async (c) =>
      (
        await c.query<{ m: boolean }>("SELECT n LIKE p ESCAPE '\\' AS m FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(n, p, i) ORDER BY i", [
          cases.map((c) => c.name),
          patterns,
        ])
      ).rows.map((r) => r.m),
    );
    expect(like).toEqual(cases.map((c) => c.name.startsWith(c.prefix)));
  });
});
