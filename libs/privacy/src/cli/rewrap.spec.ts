import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { databaseUrl, openTestDataSource, testDatabaseName } from '@puente/testing';
import type { DataSource } from 'typeorm';
import { KeyEncryptionKeyring } from '../crypto/key-encryption-keyring';
import { privacyEntities, privacyMigrations } from '../schema';
import { PersonVault } from '../vault/person-vault';
import { dataKeyInventory } from '../vault/rewrap';
import { runRewrapCli } from './rewrap';

const ROOT = join(__dirname, '..', '..', '..', '..');
const CLI = 'libs/privacy/src/cli/rewrap.ts';
const kekA = randomBytes(32).toString('base64');
const kekB = randomBytes(32).toString('base64');

function capture() {
  const lines: string[] = [];
  return { lines, io: { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) } };
}

/** Runs the CLI the way the npm script does: its own Node process, TypeScript through @swc-node/register. */
function runProcess(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output })); // after the output was read to the end
  });
}

describe('rewrap CLI', () => {
  let ds: DataSource;

  beforeAll(async () => {
    // The database `--service privacy-cli` resolves to: PUENTE_DB_PREFIX + privacy_cli.
    ds = await openTestDataSource({ name: 'privacy_cli', entities: privacyEntities, migrations: privacyMigrations });
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  it.each([
    [['--service', 'intake', '--database-url', 'postgres://x/y'], /exactly one of --service and --database-url/],
    [[], /exactly one of --service and --database-url/],
    [['rotate', '--service', 'intake'], /unknown command/],
    [['--service', 'intake', '--batch-size', '0'], /--batch-size must be an integer/],
    [['--bogus'], /Unknown option/],
  ])('exits 2 with usage for %j', async (argv, message) => {
    const { lines, io } = capture();
    expect(await runRewrapCli(argv, {}, io)).toBe(2);
    expect(lines.join('\n')).toMatch(message);
    expect(lines.join('\n')).toMatch(/usage: rewrap/);
  });

  it('exits 1 with a clear message when the database has no person_data_key table', async () => {
    const empty = await openTestDataSource({ name: 'privacy_cli_empty', entities: [], migrations: [] });
    await empty.destroy();
    const { lines, io } = capture();
    const code = await runRewrapCli(['--database-url', databaseUrl(testDatabaseName('privacy_cli_empty'))], { PUENTE_KEKS: `a:${kekA}` }, io);
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/no person_data_key table .*run the service's migrations first/);
  });

  it('re-wraps a service database in its own process (--service), printing counts and kids only', async () => {
    const onlyA = new KeyEncryptionKeyring([{ kid: 'a', key: Buffer.from(kekA, 'base64') }], 'a');
    const vault = new PersonVault(ds, onlyA);
    const people = [randomUUID(), randomUUID(), randomUUID()];
    const encrypted = await Promise.all(people.map((p) => vault.encryptFields(p, { givenName: 'Bárbara' })));
    await vault.shred(people[2]);

    const env = {
      PUENTE_KEKS: `a:${kekA},b:${kekB}`,
      PUENTE_ACTIVE_KEK: 'b',
      PUENTE_DB_PREFIX: testDatabaseName(''),
      NODE_ENV: 'production',
    };
    const dry = await runProcess(['--service', 'privacy-cli', '--dry-run'], env);
    expect(dry.output).toContain('data keys by KEK: a=2; erased: 1');
    expect(dry.output).toContain('would re-wrap 2 data keys under "b"; nothing changed');
    expect(dry.code).toBe(0);
    expect(await dataKeyInventory(ds)).toEqual({ byKek: { a: 2 }, erased: 1 });

    const run = await runProcess(['rewrap', '--service', 'privacy-cli', '--batch-size', '1'], env);
    expect(run.code).toBe(0);
    expect(run.output).toContain('re-wrapped 2 data keys under "b" in 2 batches');
    expect(run.output).toContain('after: data keys by KEK: b=2; erased: 1');
    expect(run.output).not.toContain(kekA);
    expect(run.output).not.toContain(kekB);
    expect(run.output).not.toContain('Bárbara');

    const onlyB = new PersonVault(ds, new KeyEncryptionKeyring([{ kid: 'b', key: Buffer.from(kekB, 'base64') }], 'b'));
    await expect(onlyB.decryptFieldsOrThrow(people[0], encrypted[0])).resolves.toEqual({ givenName: 'Bárbara' });
  }, 60_000);

  it('fails (exit 1) in production without PUENTE_KEKS, naming the variable', async () => {
    const run = await runProcess(['--database-url', databaseUrl(testDatabaseName('privacy_cli'))], { NODE_ENV: 'production', PUENTE_KEKS: '' });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/PUENTE_KEKS is required when NODE_ENV=production/);
  }, 60_000);

  it('warns about KEKs in use that the keyring lacks and fails (exit 1) without changing anything', async () => {
    const z = new KeyEncryptionKeyring([{ kid: 'z', key: randomBytes(32) }], 'z');
    await new PersonVault(ds, z).encryptFields(randomUUID(), { givenName: 'Zoë' });
    const before = await dataKeyInventory(ds);
    const { lines, io } = capture();
    const code = await runRewrapCli(
      ['--database-url', databaseUrl(testDatabaseName('privacy_cli'))],
      { PUENTE_KEKS: `c:${randomBytes(32).toString('base64')}` },
      io,
    );
    expect(code).toBe(1);
    expect(lines.join('\n')).toMatch(/missing from PUENTE_KEKS: .*\bz\b/);
    expect(lines.join('\n')).toMatch(/rewrap failed: UnknownKeyEncryptionKeyError/);
    expect(await dataKeyInventory(ds)).toEqual(before);
  }, 60_000);
});
