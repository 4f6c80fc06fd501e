// The receiving side's own checks of an opened envelope, with a real PostgreSQL database (no
// broker needed: the receiver is handed the record as a consumer would): an effect that refuses
// leaves nothing applied, and the refusal is audited and answered; the delivery ledger.
import { randomUUID } from 'node:crypto';
import { AuditLog, auditEntities, auditMigrations } from '@puente/audit';
import { eventSource, messagingEntities, messagingMigrations, type ConsumedEvent } from '@puente/messaging';
import { openTestDataSource } from '@puente/testing';
import type { DataSource } from 'typeorm';
import { checkArrival } from './border-rules';
import { CreateDeliveryLedger1767052800100 } from './delivery-ledger.migration';
import { deliveriesOf, recordDeliveries } from './delivery-ledger';
import { sealEnvelope } from './envelope';
import { exchangeTopic } from './exchange-kinds';
import { EnvelopeRefusedError, ExchangeReceiver } from './exchange-receiver';
import { ExchangeWriter, SEALED_ENVELOPE_TYPE } from './exchange-writer';
import { CreateFederationExchange1767052800000 } from './federation.migration';
import { registryOf } from './spec/registries';

let ds: DataSource;
const gt = registryOf('GT');
const mx = registryOf('MX', (c) => {
  c.peers.GT.receiveFields = { referral: ['ageBand', 'nationality', 'flags'] };
});

beforeAll(async () => {
  ds = await openTestDataSource({
    name: 'fed_arrival',
    entities: [...messagingEntities, ...auditEntities],
    migrations: [...messagingMigrations, ...auditMigrations, CreateFederationExchange1767052800000, CreateDeliveryLedger1767052800100],
  });
});
afterAll(() => ds?.destroy());

async function recordOf(payload: object): Promise<ConsumedEvent> {
  const sealed = await sealEnvelope(gt, { to: 'MX', kind: 'referral', payload: Buffer.from(JSON.stringify(payload)) });
  return {
    id: sealed.claims.jti,
    type: SEALED_ENVELOPE_TYPE,
    source: eventSource('GT', 'referral-routing'),
    time: new Date().toISOString(),
    key: randomUUID(),
    topic: exchangeTopic('MX', 'referral'),
    partition: 0,
    offset: '0',
    producedAt: Date.now(),
    payload: Buffer.from(sealed.value),
    headers: {},
  };
}

describe('an effect that checks what arrived', () => {
  const receiver = () =>
    new ExchangeReceiver({
      writer: new ExchangeWriter(mx, eventSource('MX', 'referral-routing')),
      audit: new AuditLog(ds, { service: 'referral-routing', node: 'MX' }),
      effects: {
        referral: async (e, tx) => {
          const body = JSON.parse(Buffer.from(e.payload).toString()) as { fields: string[]; nationality: string; flags: string[] };
          await tx.query(`CREATE TABLE IF NOT EXISTS applied (envelope_id text)`);
          await tx.query(`INSERT INTO applied VALUES ($1)`, [e.jti]);
          const refusal = checkArrival(
            'referral',
            { fields: body.fields, subject: { nationality: body.nationality, fearOfReturn: body.flags.includes('fear_of_return'), asylumClaim: false, protectionFlags: body.flags }, overridden: false },
            mx.arrivalAgreementWith(e.iss),
          );
          if (refusal) throw new EnvelopeRefusedError(refusal);
        },
      },
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
