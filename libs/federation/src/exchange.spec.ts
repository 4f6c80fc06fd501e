import { sendRaw, toHeaders, eventSource } from '@puente/messaging';
import { eventually } from '@puente/testing';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { sealEnvelope } from './envelope';
import { exchangeTopic } from './exchange-kinds';
import { SEALED_ENVELOPE_TYPE } from './exchange-writer';
import { EnvelopeContentError } from './exchange-receiver';
import { devKey, publicKeyOf, type NodeRegistry } from './node-registry';
import { listUnacknowledged } from './receipts';
import { devPeer, registryOf } from './spec/registries';
import { startExchangeNode, type ExchangeNode } from './testing/exchange-node';
import { discardTopology, holdTwoNodeTopology, originKafkaPort, peerKafkaPort, startMirrorMaker, startPeerBroker, startPeerBrokers, stopMirrorMaker, stopPeerBroker } from './testing/two-nodes';

// GT and MX, each with its own real broker and PostgreSQL database, joined by a real MirrorMaker 2.
const MM = `spec-${process.env.PUENTE_TEST_RUN ?? 'ci'}-exchange`;
let gt: ExchangeNode;
let mx: ExchangeNode;
let mxPort: number;
let gtPort: number;
let mirror: { node: string; brokers: string }[];
/** Polls `check` until it stops throwing (libs/testing's eventually wants a truthy probe). */
const settle = (check: () => Promise<void>, timeoutMs: number) => eventually('federation exchange', async () => (await check(), true), timeoutMs);
const gtRegistry = registryOf('GT');

async function applyToMx(envelope: { payload: Uint8Array; jti: string; iss: string }, tx: EntityManager, key: string | null): Promise<void> {
  const text = Buffer.from(envelope.payload).toString();
  if (text === 'unreadable') throw new EnvelopeContentError('not a payload this test knows');
  await tx.query('INSERT INTO received (envelope_id, sender, key, body) VALUES ($1, $2, $3, $4)', [envelope.jti, envelope.iss, key, text]);
}

let release: (() => void) | undefined;

beforeAll(async () => {
  release = await holdTwoNodeTopology();
  mxPort = peerKafkaPort();
  gtPort = originKafkaPort();
  const [mxBrokers, gtBrokers] = await startPeerBrokers([mxPort, gtPort]);
  gt = await startExchangeNode({ registry: gtRegistry, brokers: gtBrokers, database: 'fed_exchange_gt' });
  mx = await startExchangeNode({
    registry: registryOf('MX'),
    brokers: mxBrokers,
    database: 'fed_exchange_mx',
    setup: (ds) => ds.query('CREATE TABLE received (n bigserial PRIMARY KEY, envelope_id text NOT NULL, sender text NOT NULL, key text, body text NOT NULL)'),
    effects: { 'match-keys': (e, tx, event) => applyToMx(e, tx, event.key) },
  });
  mirror = [
    { node: 'GT', brokers: gtBrokers },
    { node: 'MX', brokers: mxBrokers },
  ];
  await startMirrorMaker(mirror, MM);
}, 20 * 60_000 + 300_000);

afterAll(async () => {
  try {
    await gt?.stop();
    await mx?.stop();
    await discardTopology([mxPort, gtPort], MM);
  } finally {
    release?.();
  }
}, 120_000);

async function receivedAtMx(): Promise<{ envelope_id: string; key: string; body: string }[]> {
  return mx.ds.query('SELECT envelope_id, key, body FROM received ORDER BY n');
}

async function receiptOf(id: string): Promise<{ receipt_outcome: string | null; receipt_reason: string | null }> {
  const [row] = await gt.ds.query('SELECT receipt_outcome, receipt_reason FROM federation_sent_envelope WHERE envelope_id = $1', [id]);
  return row;
}

it('an envelope GT sends to MX is applied once at MX and answered with a receipt GT records', async () => {
  const ids: string[] = [];
  await gt.send(async (tx) => {
    for (let i = 0; i < 10; i++) ids.push(...(await gt.writer.send(tx, { to: 'MX', kind: 'match-keys', key: `person-${i % 3}`, payload: Buffer.from(`hello ${i}`) })));
  });
  await settle(async () => expect((await receivedAtMx()).filter((r) => ids.includes(r.envelope_id))).toHaveLength(10), 60_000);
  await settle(async () => {
    for (const id of ids) expect(await receiptOf(id)).toEqual({ receipt_outcome: 'applied', receipt_reason: null });
  }, 60_000);
  expect(await listUnacknowledged(gt.ds, { olderThanSeconds: 0 })).toEqual([]);
}, 120_000);

/** Publishes a hand-made envelope on GT's cluster, recorded as sent by GT, as the outbox would. */
async function sendForged(value: Uint8Array, id: string, to = 'MX', ceId = id): Promise<void> {
  await gt.ds.query(
    `INSERT INTO federation_sent_envelope (envelope_id, peer, kind, subject, expires_at) VALUES ($1, $2, 'match-keys', 'forged', now() + interval '1 day') ON CONFLICT DO NOTHING`,
    [id, to],
  );
  const headers = toHeaders({ id: ceId, type: SEALED_ENVELOPE_TYPE, source: eventSource('GT', 'intake'), time: new Date().toISOString(), subject: 'forged' });
  await sendRaw(gt.broker, exchangeTopic('MX', 'match-keys'), [{ key: 'forged', value: Buffer.from(value), headers }]);
}

async function sealedBy(registry: NodeRegistry, options: { to?: string; now?: Date; ttlSeconds?: number; body?: string } = {}) {
  return sealEnvelope(registry, { to: options.to ?? 'MX', kind: 'match-keys', payload: Buffer.from(options.body ?? 'forged'), now: options.now, ttlSeconds: options.ttlSeconds });
}

it('tampered, badly signed, unknown kid, wrong audience, expired, replayed and unreadable envelopes are each refused, audited, answered with a refusal, and nothing is applied', async () => {
  const before = (await receivedAtMx()).length;
  const cases: { reason: string; id: string; send: () => Promise<void> }[] = [];

  const genuine = await sealedBy(gtRegistry, { body: 'genuine' });
  await sendForged(genuine.value, genuine.claims.jti);
  await settle(async () => expect((await receivedAtMx()).some((r) => r.envelope_id === genuine.claims.jti)).toBe(true), 60_000);

  const tampered = await sealedBy(gtRegistry);
  const parts = Buffer.from(tampered.value).toString().split('.');
  parts[3] = (parts[3][0] === 'A' ? 'B' : 'A') + parts[3].slice(1);
  cases.push({ reason: 'tampered', id: tampered.claims.jti, send: () => sendForged(Buffer.from(parts.join('.')), tampered.claims.jti) });

  const impostor = registryOf('GT', (c) => {
    c.signingKeys = [{ kid: devKey('GT', 'sig').kid, jwk: { ...devKey('GT', 'sig', 99).jwk, kid: devKey('GT', 'sig').kid } }];
  });
  const badSignature = await sealedBy(impostor);
  cases.push({ reason: 'bad-signature', id: badSignature.claims.jti, send: () => sendForged(badSignature.value, badSignature.claims.jti) });

  const unknownKid = await sealedBy(registryOf('GT', (c) => void (c.signingKeys = [devKey('GT', 'sig', 3)])));
  cases.push({ reason: 'unknown-kid', id: unknownKid.claims.jti, send: () => sendForged(unknownKid.value, unknownKid.claims.jti) });

  const confused = registryOf('GT', (c) => void (c.peers.HN = devPeer('HN', { encryptionKeys: [publicKeyOf(devKey('MX', 'enc'))] })));
  const wrongAudience = await sealedBy(confused, { to: 'HN' });
  cases.push({ reason: 'wrong-audience', id: wrongAudience.claims.jti, send: () => sendForged(wrongAudience.value, wrongAudience.claims.jti) });

  const expired = await sealedBy(gtRegistry, { now: new Date(Date.now() - 10 * 86400_000), ttlSeconds: 3600 });
  cases.push({ reason: 'expired', id: expired.claims.jti, send: () => sendForged(expired.value, expired.claims.jti) });

  cases.push({ reason: 'replayed', id: genuine.claims.jti, send: () => sendForged(genuine.value, genuine.claims.jti, 'MX', randomUUID()) });

  const unreadable = await sealedBy(gtRegistry, { body: 'unreadable' });
  cases.push({ reason: 'malformed', id: unreadable.claims.jti, send: () => sendForged(unreadable.value, unreadable.claims.jti) });

  for (const c of cases) await c.send();

  await settle(async () => {
    const refused = mx.outcomes.filter((o) => o.outcome === 'refused');
    for (const c of cases) expect(refused).toContainEqual(expect.objectContaining({ reason: c.reason, envelopeId: c.id, sender: 'GT', answered: true }));
  }, 60_000);
  // Nothing applied but the genuine envelope, once.
  expect((await receivedAtMx()).length).toBe(before + 1);
  const audited: { object_id: string; outcome: string }[] = await mx.ds.query(`SELECT object_id, outcome FROM audit_record WHERE action = 'exchange-envelope.refuse'`);
  for (const c of cases) expect(audited).toContainEqual({ object_id: c.id, outcome: 'denied' });
  // Refusals come back to GT, signed by MX, and are recorded against what GT sent (the genuine one stays applied).
  await settle(async () => {
    for (const c of cases.filter((x) => !['wrong-audience', 'replayed'].includes(x.reason))) {
      expect(await receiptOf(c.id)).toEqual({ receipt_outcome: 'refused', receipt_reason: c.reason });
    }
    expect(await receiptOf(genuine.claims.jti)).toEqual({ receipt_outcome: 'applied', receipt_reason: null });
  }, 60_000);
}, 180_000);

/**
 * 2,000 envelopes from GT while `outage` interrupts the way (after 300 are applied at MX), then
 * `recover`: every envelope applied exactly once, in order per key, and every receipt back at GT.
 */
async function survives(prefix: string, outage: () => Promise<void>, recover: () => Promise<void>): Promise<void> {
  const keys = Array.from({ length: 8 }, (_, i) => `${prefix}-person-${i}`);
  const total = 2000;
  const sending = (async () => {
    for (let batch = 0; batch < total / 100; batch++) {
      await gt.send(async (tx) => {
        const exchanges = Array.from({ length: 100 }, (_, j) => {
          const seq = batch * 100 + j;
          return { to: 'MX', kind: 'match-keys' as const, key: keys[seq % keys.length], payload: Buffer.from(String(seq)) };
        });
        await gt.writer.send(tx, ...exchanges);
      });
    }
  })();
  const crashRows = async () => (await receivedAtMx()).filter((r) => r.key.startsWith(`${prefix}-`));
  await settle(async () => expect((await crashRows()).length).toBeGreaterThanOrEqual(300), 120_000);
  await outage();
  const atCrash = (await crashRows()).length;
  await sending;
  await recover();
  await settle(async () => expect((await crashRows()).length).toBeGreaterThanOrEqual(total), 180_000);
  const rows = await crashRows();
  expect(atCrash).toBeLessThan(total);
  expect(rows).toHaveLength(total);
  expect(new Set(rows.map((r) => r.envelope_id)).size).toBe(total);
  for (const key of keys) {
    const order = rows.filter((r) => r.key === key).map((r) => Number(r.body));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order).toHaveLength(total / keys.length);
  }
  await settle(async () => {
    const [{ missing }] = await gt.ds.query(`SELECT count(*)::int AS missing FROM federation_sent_envelope WHERE subject LIKE $1 AND receipt_outcome IS DISTINCT FROM 'applied'`, [`${prefix}-%`]);
    expect(missing).toBe(0);
  }, 120_000);
}

it('MirrorMaker 2 killed in the middle of 2,000 envelopes and restarted: every envelope applied exactly once, in order per key, and every receipt arrives', async () => {
  await survives(
    'crash',
    () => stopMirrorMaker(MM, true),
    () => startMirrorMaker(mirror, MM),
  );
}, 420_000);

it("the receiving node's broker stopped in the middle of 2,000 envelopes and restarted: every envelope applied exactly once, in order per key, and every receipt arrives", async () => {
  await survives(
    'outage',
    () => stopPeerBroker(mxPort),
    async () => void (await startPeerBroker(mxPort, false)),
  );
}, 480_000);
