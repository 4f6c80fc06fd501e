import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(180_000);

const root = join(__dirname, '..');
const cli = join(root, 'tools/infra/kafka.mjs');

function kafka(args: string[], env: Record<string, string | undefined>) {
  const base: Record<string, string | undefined> = { ...process.env };
  delete base.KAFKA_BROKERS;
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...base, ...env } });
}

describe('tools/infra/kafka.mjs: a real broker from Maven jars, without Docker', () => {
  const port = String(39000 + (process.pid % 500) * 2);

  afterAll(() => {
    kafka(['stop'], { KAFKA_PORT: port });
  });

  it('starts a KRaft broker that answers metadata, reuses it, and stops it cleanly', () => {
    const first = kafka(['start'], { KAFKA_PORT: port });
    expect(first.status).toBe(0);
    expect(first.stdout.trim()).toBe(`127.0.0.1:${port}`);
    const status = JSON.parse(kafka(['status'], { KAFKA_PORT: port }).stdout);
    expect(status).toMatchObject({ running: true, brokers: `127.0.0.1:${port}` });

    const again = kafka(['start'], { KAFKA_PORT: port });
    expect(again.status).toBe(0);
    expect(JSON.parse(kafka(['status'], { KAFKA_PORT: port }).stdout).pid).toBe(status.pid);

    expect(kafka(['stop'], { KAFKA_PORT: port }).status).toBe(0);
    expect(JSON.parse(kafka(['status'], { KAFKA_PORT: port }).stdout)).toMatchObject({ running: false });
  });

  it('names the failing step and the way out when java is missing', () => {
    const bin = mkdtempSync(join(tmpdir(), 'only-node-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = kafka(['start'], { KAFKA_PORT: String(Number(port) + 1000), PATH: bin, JAVA_HOME: '' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Kafka: java not found/m);
    expect(r.stderr).toContain('KAFKA_BROKERS=host:port');
  });

  it('says so clearly when KAFKA_BROKERS points at nothing', () => {
    const r = kafka(['start'], { KAFKA_BROKERS: '127.0.0.1:1', KAFKA_READY_TIMEOUT_MS: '1500' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Kafka: KAFKA_BROKERS=127\.0\.0\.1:1 did not answer a Metadata request/m);
  });
});

describe('tools/infra/postgres.mjs', () => {
  const check = (url: string) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', "const m = await import('./tools/infra/postgres.mjs'); console.log(JSON.stringify(await m.ensurePostgres()));"], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: url },
    });

  it('finds the server named by DATABASE_URL', () => {
    const r = check(process.env.DATABASE_URL as string);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).version).toMatch(/^\d+/);
  });

  it('says how to provide a server when there is none, without leaking the password', () => {
    const r = check('postgres://puente:s3cret@127.0.0.1:1/postgres');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('PostgreSQL: cannot connect to postgres://puente:***@127.0.0.1:1/postgres');
    expect(r.stderr).toContain('set DATABASE_URL=');
    expect(r.stderr).not.toContain('s3cret');
  });
});
