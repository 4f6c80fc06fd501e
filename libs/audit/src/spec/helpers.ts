// Test-only helpers (not exported from index.ts).
import { openTestDataSource } from '@puente/testing';
import type { DataSource } from 'typeorm';
import { AuditLog, type AuditEntry } from '../audit-log';
import { auditEntities, auditMigrations } from '../index';

export async function openAuditDataSource(name: string, reuse = false): Promise<DataSource> {
  return openTestDataSource({ name, entities: [...auditEntities], migrations: [...auditMigrations], reuse });
}

const opened: AuditLog[] = [];

/** An AuditLog on `ds`; close it (or all, closeAuditLogs) before the test file ends. */
export function auditLogOn(ds: DataSource): AuditLog {
  const log = new AuditLog(ds, { service: 'intake', node: 'GT' });
  opened.push(log);
  return log;
}

/** Closes every AuditLog auditLogOn opened (their chaining connections). */
export async function closeAuditLogs(): Promise<void> {
  await Promise.all(opened.splice(0).map((log) => log.close()));
}

/** Records written and not yet chained. */
export async function pendingCount(ds: DataSource): Promise<number> {
  const [{ n }] = (await ds.query('SELECT count(*)::int AS n FROM audit_pending')) as { n: number }[];
  return n;
}

let n = 0;
export function sampleEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  n += 1;
  return {
    action: 'person.read',
    objectType: 'person',
    objectId: `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`,
    purpose: 'case-management',
    actor: { subject: 'svc-caseworker', clientId: 'client-unhcr', partnerId: 'unhcr-gt' },
    requestId: `req-${n}`,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    ...overrides,
  };
}

/** Appends `count` records one after the other. */
export async function appendMany(log: AuditLog, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) await log.append(null, sampleEntry());
}

/** Runs `sql` as a privileged attacker would: with the append-only trigger disabled. */
export async function tamper(ds: DataSource, ...statements: string[]): Promise<void> {
  await ds.transaction(async (tx) => {
    await tx.query('ALTER TABLE audit_record DISABLE TRIGGER audit_record_append_only');
    for (const sql of statements) await tx.query(sql);
    await tx.query('ALTER TABLE audit_record ENABLE TRIGGER audit_record_append_only');
  });
}

/** Empties the table (test set-up only; TRUNCATE is rejected by a trigger otherwise). */
export async function resetChain(ds: DataSource): Promise<void> {
  await ds.transaction(async (tx) => {
    await tx.query('ALTER TABLE audit_record DISABLE TRIGGER audit_record_no_truncate');
    await tx.query('TRUNCATE audit_record');
    await tx.query('ALTER TABLE audit_record ENABLE TRIGGER audit_record_no_truncate');
  });
}

export async function seqs(ds: DataSource): Promise<number[]> {
  const rows: { seq: string }[] = await ds.query('SELECT seq FROM audit_record ORDER BY seq');
  return rows.map((r) => Number(r.seq));
}
