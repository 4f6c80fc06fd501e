// Test-only helpers (not exported from index.ts).
import { openTestDataSource } from '@puente/testing';
import type { DataSource } from 'typeorm';
import { AuditLog, type AuditEntry } from '../audit-log';
import { auditEntities, auditMigrations } from '../index';

export async function openAuditDataSource(name: string, reuse = false): Promise<DataSource> {
  return openTestDataSource({ name, entities: [...auditEntities], migrations: [...auditMigrations], reuse });
}

export function auditLogOn(ds: DataSource): AuditLog {
  return new AuditLog(ds, { service: 'intake', node: 'GT' });
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
