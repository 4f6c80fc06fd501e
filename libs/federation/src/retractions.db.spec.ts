import { openTestDataSource, runTs } from '@puente/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { recordDeliveries } from './delivery-ledger';
import { CreateDeliveryLedger1767052800100 } from './delivery-ledger.migration';
import { CreateFederationExchange1767052800000 } from './federation.migration';
import { CreateRetractionNotices1767052800200 } from './retraction.migration';
import { attachEnvelope, openRetractions, overdueRetractions, receiptNodeNotices, receiptNotice, retractionNoticesOf, unsentNodeNotices } from './retractions';

// The notices' storage against a real database, and the operator command over it (as intake's database).
const federation = (args: string[], env: Record<string, string> = {}) => runTs('tools/federation.ts', args, env);
let ds: DataSource;
let url: string;

beforeAll(async () => {
  ds = await openTestDataSource({ name: 'fed_retractions_intake', entities: [], migrations: [CreateFederationExchange1767052800000, CreateDeliveryLedger1767052800100, CreateRetractionNotices1767052800200] });
  url = (ds.options as { url: string }).url;
});

afterAll(async () => {
  await ds?.destroy();
});

it('an erasure opens one notice per receiver and route; receipts from a partner and from a node close them; overdue ones are listed by the operator command', async () => {
  const personId = randomUUID();
  const caseId = randomUUID();
  const keysEnvelope = randomUUID();
  const at = new Date(Date.now() - 60_000);
  await recordDeliveries(ds, [
    { receiverType: 'node', receiver: 'MX', channel: 'match-keys', envelopeId: keysEnvelope, personId, fields: ['matchKeys'] },
    { receiverType: 'node', receiver: 'MX', channel: 'custody-transfer', envelopeId: randomUUID(), caseId, personId, fields: ['identity'] },
    { receiverType: 'partner', receiver: 'GT-ONG-07', channel: 'disclosure', personId, fields: ['givenNames'] },
  ], at);

  const opened = await openRetractions(ds, { personId, caseId, cause: 'person-erased', at: new Date() });
  expect(opened.map((n) => `${n.receiverType}:${n.receiver}:${n.route}`)).toEqual(['node:MX:match-keys-retraction', 'node:MX:retraction', 'partner:GT-ONG-07:partner']);
  expect(opened.every((n) => n.caseId === caseId && n.receiptedAt === null && n.purpose === null)).toBe(true);
  // Asked again (a redelivered event): nothing more is owed.
  expect(await openRetractions(ds, { personId, caseId, cause: 'person-erased', at: new Date() })).toEqual([]);

  // The partner answers; another partner cannot answer for it; a second answer changes nothing.
  const partnerNotice = opened.find((n) => n.receiverType === 'partner')!;
  expect(await receiptNotice(ds, partnerNotice.noticeId, { type: 'partner', id: 'GT-ONG-99' }, new Date())).toBeUndefined();
  expect((await receiptNotice(ds, partnerNotice.noticeId, { type: 'partner', id: 'GT-ONG-07' }, new Date()))?.noticeId).toBe(partnerNotice.noticeId);
  expect(await receiptNotice(ds, partnerNotice.noticeId, { type: 'partner', id: 'GT-ONG-07' }, new Date())).toBeNull();

  // The match-key notice travels in an envelope; MX's applied receipt closes it.
  const [keysNotice] = await unsentNodeNotices(ds, personId, 'MX', 'match-keys-retraction');
  const retractionEnvelope = randomUUID();
  await attachEnvelope(ds, [keysNotice.noticeId], retractionEnvelope);
  expect(await unsentNodeNotices(ds, personId, 'MX', 'match-keys-retraction')).toEqual([]);
  await ds.query(`INSERT INTO federation_sent_envelope (envelope_id, peer, kind, subject, expires_at) VALUES ($1, 'MX', 'match-keys-retraction', $2, now() + interval '1 day')`, [retractionEnvelope, personId]);
  expect(await receiptNodeNotices(ds)).toEqual([]);
  await ds.query(`UPDATE federation_sent_envelope SET receipt_outcome = 'applied', receipt_at = now() WHERE envelope_id = $1`, [retractionEnvelope]);
  expect((await receiptNodeNotices(ds)).map((n) => n.noticeId)).toEqual([keysNotice.noticeId]);
  expect(await receiptNodeNotices(ds)).toEqual([]);

  // The transfer notice is still missing; once past due it is overdue for the operator.
  const missing = (await retractionNoticesOf(ds, personId)).filter((n) => n.receiptedAt === null);
  expect(missing.map((n) => n.route)).toEqual(['retraction']);
  expect(await overdueRetractions(ds)).toEqual([]);
  expect((await federation(['retractions', '--service', 'intake'], { INTAKE_DATABASE_URL: url })).code).toBe(0);
  await ds.query(`UPDATE retraction_notice SET due_at = now() - interval '1 hour' WHERE notice_id = $1`, [missing[0].noticeId]);
  expect((await overdueRetractions(ds)).map((n) => n.noticeId)).toEqual([missing[0].noticeId]);
  const listed = await federation(['retractions', '--service', 'intake'], { INTAKE_DATABASE_URL: url });
  expect(listed.code).toBe(1);
  expect(listed.stdout).toContain('1 retraction notice overdue without a receipt');
  expect(listed.stdout).toContain(`${missing[0].noticeId}  node MX (custody-transfer), person-erased, person ${personId} case ${caseId}`);
  const json = await federation(['retractions', '--service', 'intake', '--json'], { INTAKE_DATABASE_URL: url });
  expect(JSON.parse(json.stdout.trim()).noticeId).toBe(missing[0].noticeId);
  expect((await federation(['retractions', '--service', 'intake', '--older-than', '5'], { INTAKE_DATABASE_URL: url })).code).toBe(2);
}, 60_000);

it('a consent withdrawal notices only the receivers of deliveries that relied on it', async () => {
  const personId = randomUUID();
  await recordDeliveries(ds, [
    { receiverType: 'node', receiver: 'HN', channel: 'match-keys', envelopeId: randomUUID(), personId, fields: ['matchKeys'] },
    { receiverType: 'partner', receiver: 'MX-ONG-01', channel: 'disclosure', personId, fields: ['givenNames'] },
  ], new Date(Date.now() - 1000));
  const opened = await openRetractions(ds, { personId, caseId: null, cause: 'consent-withdrawn', purpose: 'referral', at: new Date() });
  expect(opened.map((n) => [n.receiver, n.purpose, n.cause])).toEqual([['MX-ONG-01', 'referral', 'consent-withdrawn']]);
  // The erasure later owes the node its notice, not the partner again.
  expect((await openRetractions(ds, { personId, caseId: null, cause: 'person-erased', at: new Date() })).map((n) => n.receiver)).toEqual(['HN']);
});
