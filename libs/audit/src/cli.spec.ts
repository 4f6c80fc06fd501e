import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTs } from '@puente/testing';
import type { DataSource } from 'typeorm';
import { auditRecordHash, type AuditRecordJson } from './canonical';
import { appendMany, auditLogOn, openAuditDataSource, tamper } from './spec/helpers';

const SERVICE = 'audit-cli';
const COUNT = 30;

const audit = (args: string[], env: Record<string, string> = {}) => runTs('tools/audit.ts', args, env);

describe('tools/audit.ts (spawned, against a real database)', () => {
  let ds: DataSource;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    ds = await openAuditDataSource('audit_cli');
    await appendMany(auditLogOn(ds), COUNT);
    // Point the CLI at the test database the way an operator would override it.
    env = { AUDIT_CLI_DATABASE_URL: (ds.options as { url: string }).url };
    dir = mkdtempSync(join(tmpdir(), 'puente-audit-cli-'));
  });

  afterAll(async () => {
    await ds?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let head = '';

  it('verify: exit 0 and prints the head', async () => {
    const run = await audit(['verify', '--service', SERVICE], env);
    expect(run).toMatchObject({ code: 0 });
    const match = /audit chain intact: 30 records, head (30:[0-9a-f]{64})/.exec(run.stdout);
    expect(match).not.toBeNull();
    head = match?.[1] ?? '';
    expect((await audit(['verify', '--service', SERVICE, '--expect-head', head], env)).code).toBe(0);
  }, 60_000);

  it('export: writes one JSON line per record, to a file or stdout, and the file verifies', async () => {
    const file = join(dir, 'audit.jsonl');
    const run = await audit(['export', '--service', SERVICE, '--out', file], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/exported 30 records \(records 1\.\.30, last 30:[0-9a-f]{64}\)/);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(COUNT);
    for (const line of lines) {
      const { hash, ...rest } = JSON.parse(line) as AuditRecordJson;
      expect(auditRecordHash(rest)).toBe(hash);
    }
    const verified = await audit(['verify', '--file', file, '--expect-head', head]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('audit chain intact: 30 records');

    const ranged = await audit(['export', '--service', SERVICE, '--from', '11', '--to', '15'], env);
    expect(ranged.code).toBe(0);
    const rangedLines = ranged.stdout.trimEnd().split('\n');
    expect(rangedLines.map((l) => (JSON.parse(l) as AuditRecordJson).seq)).toEqual(['11', '12', '13', '14', '15']);
  }, 60_000);

  it('exit 2 on usage errors', async () => {
    const runs = await Promise.all([
      audit([], env),
      audit(['verify'], env),
      audit(['frobnicate', '--service', SERVICE], env),
      audit(['verify', '--service', SERVICE, '--bogus'], env),
      audit(['export', '--service', SERVICE, '--from', 'zero'], env),
      audit(['verify', '--service', SERVICE, '--expect-head', 'latest'], env),
      audit(['verify', '--service', 'Not_A_Service'], env),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Usage:');
    }
  }, 60_000);

  it('exit 3 when the database cannot be read', async () => {
    const run = await audit(['verify', '--service', 'audit-cli-missing'], {
      AUDIT_CLI_MISSING_DATABASE_URL: (ds.options as { url: string }).url.replace(/\/[^/]*$/, '/puente_audit_does_not_exist'),
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/cannot read the audit log of audit-cli-missing/);
  }, 60_000);

  it('verify after tampering: exit 1 naming the first broken record; a truncated tail only with --expect-head', async () => {
    await tamper(ds, `DELETE FROM audit_record WHERE seq > 28`);
    expect((await audit(['verify', '--service', SERVICE], env)).code).toBe(0);
    const truncated = await audit(['verify', '--service', SERVICE, '--expect-head', head], env);
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toContain('audit chain broken at record 29: truncated');

    await tamper(ds, `UPDATE audit_record SET actor_partner_id = 'iom-gt' WHERE seq = 7`);
    const run = await audit(['verify', '--service', SERVICE], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('audit chain broken at record 7: hash-mismatch');
  }, 60_000);
});
