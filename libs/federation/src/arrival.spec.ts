// The receiving side's own checks of an opened envelope, with a real PostgreSQL database (no
// broker needed: the receiver is handed the record as a consumer would): an effect that refuses
// leaves nothing applied, and the refusal is audited and answered; the delivery ledger.
import { randomUUID } from 'node:crypto';
import { AuditLog, auditEntities, auditMigrations } from '@puente/audit';
import { eventSource, messagingEntities, messagingMigrations, type ConsumedEvent } from '@puente/messaging';
import { openTestDataSource } from '@puente/testing';
import type { DataSource, EntityManager } from 'typeorm';
import { checkArrival } from './border-rules';
import { CreateDeliveryLedger1767052800100 } from './delivery-ledger.migration';
import { deliveriesOf, recordDeliveries } from './delivery-ledger';
import { sealEnvelope } from './envelope';
import { exchangeTopic } from './exchange-kinds';
import { EnvelopeRefusedError, ExchangeReceiver } from './exchange-receiver';
import { ExchangeWriter, SEALED_ENVELOPE_TYPE } from './exchange-writer';
import { CreateFederationExchange1767052800000 } from './federation.migration';
import { devKey, publicKeyOf, type NodeRegistry } from './node-registry';
import { registryOf } from './spec/registries';

let ds: DataSource;
const gt = registryOf('GT');
const mx = registryOf('MX', (c) => {
  c.peers.GT.receiveFields = { referral: ['ageBand', 'nationality', 'flags'], 'custody-transfer': ['ageBand', 'nationality', 'flags'] };
});
/** A node MX does not know, and GT signing with a key MX never heard of. */
const unknownNode = registryOf('CA', (c) => {
  c.peers.MX = { signingKeys: [publicKeyOf(devKey('MX', 'sig'))], encryptionKeys: [publicKeyOf(devKey('MX', 'enc'))], send: ['referral', 'custody-transfer'], receive: ['referral', 'custody-transfer'] };
});
const forgedGt = registryOf('GT', (c) => {
  c.signingKeys = [{ ...devKey('GT', 'sig', 2), kid: devKey('GT', 'sig').kid }];
});

beforeAll(async () => {
  ds = await openTestDataSource({
    name: 'fed_arrival',
    entities: [...messagingEntities, ...auditEntities],
    migrations: [...messagingMigrations, ...auditMigrations, CreateFederationExchange1767052800000, CreateDeliveryLedger1767052800100],
  });
});
afterAll(() => ds?.destroy());

async function recordOf(payload: object, kind: 'referral' | 'custody-transfer' = 'referral', o: { registry?: NodeRegistry; now?: Date; ttlSeconds?: number; source?: string } = {}): Promise<ConsumedEvent> {
  const sealed = await sealEnvelope(o.registry ?? gt, { to: 'MX', kind, payload: Buffer.from(JSON.stringify(payload)), now: o.now, ttlSeconds: o.ttlSeconds });
  return {
    id: sealed.claims.jti,
    type: SEALED_ENVELOPE_TYPE,
    source: o.source ?? eventSource('GT', 'referral-routing'),
    time: new Date().toISOString(),
    key: randomUUID(),
    topic: exchangeTopic('MX', kind),
    partition: 0,
    offset: '0',
    producedAt: Date.now(),
    payload: Buffer.from(sealed.value),
    headers: {},
  };
}

describe('an effect that checks what arrived', () => {
  const effect = (kind: 'referral' | 'custody-transfer') => async (e: { payload: Uint8Array; jti: string; iss: string }, tx: EntityManager) => {
    const body = JSON.parse(Buffer.from(e.payload).toString()) as { fields: string[]; nationality: string; flags: string[] };
    await tx.query(`CREATE TABLE IF NOT EXISTS applied (envelope_id text)`);
    await tx.query(`INSERT INTO applied VALUES ($1)`, [e.jti]);
    const refusal = checkArrival(
      kind,
      { fields: body.fields, subject: { nationality: body.nationality, fearOfReturn: body.flags.includes('fear_of_return'), asylumClaim: false, protectionFlags: body.flags }, overridden: false },
      mx.arrivalAgreementWith(e.iss),
    );
    if (refusal) throw new EnvelopeRefusedError(refusal);
  };
  const receiver = () =>
    new ExchangeReceiver({
      writer: new ExchangeWriter(mx, eventSource('MX', 'referral-routing')),
      audit: new AuditLog(ds, { service: 'referral-routing', node: 'MX' }),
      effects: { referral: effect('referral'), 'custody-transfer': effect('custody-transfer') },
    });

  it.each([
    ['beyond-agreement', { fields: ['ageBand', 'givenNames'], nationality: 'HN', flags: [] }],
    ['protection-block', { fields: ['nationality', 'flags'], nationality: 'MX', flags: ['fear_of_return'] }],
  ])('%s: refused, nothing applied, audited and answered with a signed refusal', async (reason, payload) => {
    const record = await recordOf(payload);
    const outcome = await ds.transaction((tx) => receiver().receive(record, tx));
    expect(outcome).toEqual({ outcome: 'refused', reason, sender: 'GT', envelopeId: record.id, answered: true });
    expect(await ds.query(`SELECT 1 FROM pg_tables WHERE tablename = 'applied'`).then(async (t: unknown[]) => (t.length ? ds.query('SELECT * FROM applied WHERE envelope_id = $1', [record.id]) : []))).toEqual([]);
    expect(await ds.query(`SELECT 1 FROM federation_received_envelope WHERE envelope_id = $1`, [record.id])).toEqual([]);
    const audited = await ds.query(`SELECT action, outcome, object_id FROM audit_record WHERE object_id = $1`, [record.id]);
    expect(audited).toEqual([{ action: 'exchange-envelope.refuse', outcome: 'denied', object_id: record.id }]);
    const answers = await ds.query(`SELECT topic FROM outbox_message WHERE message_key = $1`, [record.key]);
    expect(answers).toEqual([{ topic: exchangeTopic('GT', 'receipt') }]);
  });

  it('a payload within the agreement about someone not protected toward MX is applied', async () => {
    const record = await recordOf({ fields: ['ageBand', 'flags'], nationality: 'HN', flags: ['fear_of_return'] });
    const outcome = await ds.transaction((tx) => receiver().receive(record, tx));
    expect(outcome.outcome).toBe('applied');
    expect(await ds.query('SELECT envelope_id FROM applied WHERE envelope_id = $1', [record.id])).toEqual([{ envelope_id: record.id }]);
  });
});

describe.each(['referral', 'custody-transfer'] as const)('every refusal for kind %s: refused with its reason, audited, nothing applied', (kind) => {
  const ok = { fields: ['ageBand'], nationality: 'HN', flags: [] as string[] };
  const applied = async (id: string) => (await ds.query(`SELECT 1 FROM pg_tables WHERE tablename = 'applied'`)).length > 0 && (await ds.query('SELECT 1 FROM applied WHERE envelope_id = $1', [id])).length > 0;
  const receive = (record: ConsumedEvent) =>
    ds.transaction((tx) =>
      new ExchangeReceiver({
        writer: new ExchangeWriter(mx, eventSource('MX', 'referral-routing')),
        audit: new AuditLog(ds, { service: 'referral-routing', node: 'MX' }),
        effects: {
          [kind]: async (e: { payload: Uint8Array; jti: string; iss: string }, tx2: EntityManager) => {
            const body = JSON.parse(Buffer.from(e.payload).toString()) as { fields: string[]; nationality: string; flags: string[] };
            const refusal = checkArrival(kind, { fields: body.fields, subject: { nationality: body.nationality, fearOfReturn: body.flags.includes('fear_of_return'), asylumClaim: false, protectionFlags: body.flags }, overridden: false }, mx.arrivalAgreementWith(e.iss));
            if (refusal) throw new EnvelopeRefusedError(refusal);
            await tx2.query(`CREATE TABLE IF NOT EXISTS applied (envelope_id text)`);
            await tx2.query(`INSERT INTO applied VALUES ($1)`, [e.jti]);
          },
        },
      }).receive(record, tx),
    );
  const cases: [string, () => Promise<ConsumedEvent>][] = [
    ['bad-signature', () => recordOf(ok, kind, { registry: forgedGt })],
    ['unknown-sender', () => recordOf(ok, kind, { registry: unknownNode, source: eventSource('CA', 'referral-routing') })],
    ['expired', () => recordOf(ok, kind, { now: new Date(Date.now() - 3 * 3600_000), ttlSeconds: 3600 })],
    ['beyond-agreement', () => recordOf({ ...ok, fields: ['ageBand', 'birthDate'] }, kind)],
    ['protection-block', () => recordOf({ ...ok, nationality: 'MX', flags: ['fear_of_return'] }, kind)],
  ];
  it.each(cases)('%s', async (reason, make) => {
    const record = await make();
    const outcome = await receive(record);
    expect(outcome).toMatchObject({ outcome: 'refused', reason });
    expect(await applied(record.id)).toBe(false);
    expect(await ds.query(`SELECT outcome FROM audit_record WHERE action = 'exchange-envelope.refuse' AND object_id = $1`, [outcome.envelopeId])).toEqual([{ outcome: 'denied' }]);
    // A known sender is answered with a signed refusal; an unknown node cannot be answered.
    const answered = await ds.query(`SELECT 1 FROM outbox_message WHERE message_key = $1 AND topic = $2`, [record.key, exchangeTopic('GT', 'receipt')]);
    expect(answered).toHaveLength(reason === 'unknown-sender' ? 0 : 1);
  });
  it('replayed', async () => {
    const record = await recordOf(ok, kind);
    expect((await receive(record)).outcome).toBe('applied');
    expect(await receive(record)).toMatchObject({ outcome: 'refused', reason: 'replayed' });
  });
});

describe('the delivery ledger', () => {
  it('records each person of a delivery once per envelope and lists them per person', async () => {
    const [a, b, caseId, envelopeId] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const deliveries = [a, b].map((personId) => ({ receiverType: 'node' as const, receiver: 'MX', channel: 'custody-transfer', envelopeId, caseId, personId, fields: ['givenNames', 'birthDate'] }));
    await ds.transaction((tx) => recordDeliveries(tx, deliveries));
    await ds.transaction((tx) => recordDeliveries(tx, deliveries)); // a retried transaction
    await ds.transaction((tx) => recordDeliveries(tx, [{ receiverType: 'partner', receiver: 'MX-COMAR', channel: 'referral', caseId, personId: a, fields: ['ageBand'] }]));
    const rows = await deliveriesOf(ds, a);
    expect(rows.map((r) => [r.receiverType, r.receiver, r.channel, r.envelopeId, r.caseId, r.fields])).toEqual([
      ['node', 'MX', 'custody-transfer', envelopeId, caseId, ['givenNames', 'birthDate']],
      ['partner', 'MX-COMAR', 'referral', null, caseId, ['ageBand']],
    ]);
    expect(await deliveriesOf(ds, b)).toHaveLength(1);
  });
});
