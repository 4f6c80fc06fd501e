// Peers witness each other's audit logs, with two real databases (GT's intake and MX's intake;
// no broker needed: MX's receiver is handed the record GT's outbox holds, as MirrorMaker would
// bring it) and the operator commands over them: a rewritten or shortened history is detected.
import { readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, auditEntities, auditMigrations, auditRecordHash, type AuditRecordJson, exportChain } from '@puente/audit';
import { eventSource, messagingEntities, messagingMigrations, type ConsumedEvent } from '@puente/messaging';
import { openTestDataSource, runTs } from '@puente/testing';
import type { DataSource } from 'typeorm';
import { CreateAuditWitness1767052800300 } from './audit-witness.migration';
import { checkpointsFor, sendAuditCheckpoint, witnessAuditCheckpoint, witnessedCheckpoints } from './audit-witness';
import { ExchangeReceiver } from './exchange-receiver';
import { ExchangeWriter, SEALED_ENVELOPE_TYPE } from './exchange-writer';
import { CreateFederationExchange1767052800000 } from './federation.migration';
import { registryOf } from './spec/registries';

const audit = (args: string[], env: Record<string, string>) => runTs('tools/audit.ts', args, env);
const migrations = [...messagingMigrations, ...auditMigrations, CreateFederationExchange1767052800000, CreateAuditWitness1767052800300];
let gt: DataSource;
let mx: DataSource;
const gtWriter = new ExchangeWriter(registryOf('GT', (c) => { for (const p of Object.keys(c.peers)) if (p !== 'MX') delete c.peers[p]; }), eventSource('GT', 'intake'));

beforeAll(async () => {
  gt = await openTestDataSource({ name: 'fed_witness_gt', entities: [...messagingEntities, ...auditEntities], migrations });
  mx = await openTestDataSource({ name: 'fed_witness_mx', entities: [...messagingEntities, ...auditEntities], migrations });
});
afterAll(async () => {
  await gt?.destroy();
  await mx?.destroy();
});

const urlOf = (ds: DataSource) => (ds.options as { url: string }).url;

async function appendAt(ds: DataSource, n: number): Promise<void> {
  const log = new AuditLog(ds, { service: 'intake', node: 'GT' });
  for (let i = 0; i < n; i += 1) {
    await log.append(null, { action: 'person.read', objectType: 'person', objectId: null, purpose: 'case-management', actor: { subject: 'caseworker', clientId: 'crm-gt', partnerId: 'GT-MRC-01' } });
  }
}

/** GT sends its head; MX's receiver applies the envelope from GT's outbox (what MirrorMaker would copy). */
async function checkpointToMx(): Promise<void> {
  await gt.transaction((tx) => sendAuditCheckpoint(tx, gtWriter, 'intake'));
  const [row]: { event_id: string; message_key: string; payload: Buffer }[] = await gt.query(
    `SELECT event_id::text, message_key, payload FROM outbox_message WHERE topic = 'puente.exchange.mx.audit.v1' ORDER BY id DESC LIMIT 1`,
  );
  const event: ConsumedEvent = {
    id: row.event_id,
    type: SEALED_ENVELOPE_TYPE,
    source: eventSource('GT', 'intake'),
    time: new Date().toISOString(),
    key: row.message_key,
    topic: 'puente.exchange.mx.audit.v1',
    partition: 0,
    offset: '0',
    producedAt: Date.now(),
    payload: row.payload,
    headers: {},
  };
  const receiver = new ExchangeReceiver({
    writer: new ExchangeWriter(registryOf('MX'), eventSource('MX', 'intake')),
    audit: new AuditLog(mx, { service: 'intake', node: 'MX' }),
    effects: { 'audit-checkpoint': (e, tx) => witnessAuditCheckpoint(e, tx) },
  });
  expect(await mx.transaction((tx) => receiver.receive(event, tx))).toMatchObject({ outcome: 'applied', kind: 'audit-checkpoint' });
}

async function collectedAtMx(): Promise<string> {
  const listed = await audit(['witnesses', '--service', 'intake'], { INTAKE_DATABASE_URL: urlOf(mx), PUENTE_NODE: 'MX' });
  expect(listed.code).toBe(0);
  const file = join(tmpdir(), `witnesses-${process.pid}-${Date.now()}.jsonl`);
  writeFileSync(file, listed.stdout);
  return file;
}

const verifyGt = (extra: string[] = []) => audit(['verify', '--service', 'intake', ...extra], { INTAKE_DATABASE_URL: urlOf(gt), PUENTE_NODE: 'GT' });

it('MX keeps the heads GT sends; GT\'s chain verifies against them until a superuser rewrites or shortens it', async () => {
  await appendAt(gt, 10);
  await checkpointToMx();
  const [held] = await witnessedCheckpoints(mx, { node: 'GT', service: 'intake' });
  const [gtHead]: { seq: string; hash: string }[] = await gt.query('SELECT seq::text, hash FROM audit_record ORDER BY seq DESC LIMIT 1');
  expect(held).toMatchObject({ node: 'GT', service: 'intake', seq: Number(gtHead.seq), hash: gtHead.hash });
  // One checkpoint held per envelope.
  expect(await mx.query(`SELECT count(*)::int AS n FROM audit_witness_checkpoint`)).toEqual([{ n: 1 }]);

  // More records after the checkpoint: still intact.
  await appendAt(gt, 3);
  const file = await collectedAtMx();
  expect(checkpointsFor(readFileSync(file, 'utf8').split('\n'), 'GT', 'intake')).toHaveLength(1);
  const ok = await verifyGt(['--witnesses', file]);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toContain(`witnessed head holds: MX witnessed ${gtHead.seq}:${gtHead.hash}`);

  // A superuser rewrites records 5.. and re-hashes them all: the chain alone looks intact.
  let exported = '';
  await exportChain(gt, new Writable({ write: (chunk, _enc, done) => { exported += chunk.toString(); done(); } }), { from: 4 });
  const rows = exported.trim().split('\n').map((l) => JSON.parse(l) as AuditRecordJson);
  let prevHash = rows[0].hash;
  const statements: string[] = [];
  for (const row of rows.slice(1)) {
    const { hash: _old, ...rest } = row;
    const forged = { ...rest, actor_partner_id: 'GT-OTHER', prev_hash: prevHash };
    prevHash = auditRecordHash(forged);
    statements.push(`UPDATE audit_record SET actor_partner_id = 'GT-OTHER', prev_hash = '${forged.prev_hash}', hash = '${prevHash}' WHERE seq = ${row.seq}`);
  }
  await gt.transaction(async (tx) => {
    await tx.query('ALTER TABLE audit_record DISABLE TRIGGER audit_record_append_only');
    for (const sql of statements) await tx.query(sql);
    await tx.query('ALTER TABLE audit_record ENABLE TRIGGER audit_record_append_only');
  });
  expect((await verifyGt()).code).toBe(0);
  const rewritten = await verifyGt(['--witnesses', file]);
  expect(rewritten.code).toBe(1);
  expect(rewritten.stdout).toContain(`audit history rewritten: head-mismatch at record ${gtHead.seq} (MX witnessed ${gtHead.seq}:`);

  // Deleting the newest records back to before the witnessed head: truncated.
  await gt.transaction(async (tx) => {
    await tx.query('ALTER TABLE audit_record DISABLE TRIGGER audit_record_append_only');
    await tx.query('DELETE FROM audit_record WHERE seq >= 8');
    await tx.query('ALTER TABLE audit_record ENABLE TRIGGER audit_record_append_only');
  });
  expect((await verifyGt()).code).toBe(0);
  const shortened = await verifyGt(['--witnesses', file]);
  expect(shortened.code).toBe(1);
  expect(shortened.stdout).toContain('audit history rewritten: truncated at record 8');

  // Usage: a file that names no head of this node and service.
  expect((await audit(['verify', '--service', 'intake', '--witnesses', file, '--node', 'HN'], { INTAKE_DATABASE_URL: urlOf(gt) })).code).toBe(2);
}, 120_000);
