import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBrokerClient, ensureTopics, readTopic, sendRaw, type BrokerClient } from '@puente/messaging';
import { exchangeTopic } from './exchange-kinds';
import { discardTopology, holdTwoNodeTopology, originKafkaPort, peerKafkaPort, startMirrorMaker, startPeerBrokers } from './testing/two-nodes';

// Two real brokers (GT: the test broker, MX: a second one) and a real MirrorMaker 2.
const MM = `spec-${process.env.PUENTE_TEST_RUN ?? 'ci'}-mm`;
let gt: BrokerClient;
let mx: BrokerClient;
let mxPort: number;
let gtPort: number;

let release: (() => void) | undefined;

beforeAll(async () => {
  release = await holdTwoNodeTopology();
  mxPort = peerKafkaPort();
  gtPort = originKafkaPort();
  const [mxBrokers, gtBrokers] = await startPeerBrokers([mxPort, gtPort]);
  gt = createBrokerClient({ brokers: gtBrokers.split(','), clientId: 'spec-gt' });
  mx = createBrokerClient({ brokers: [mxBrokers], clientId: 'spec-mx' });
  await ensureTopics(gt, [{ name: exchangeTopic('MX', 'match-keys'), partitions: 3 }]);
  await startMirrorMaker([{ node: 'GT', brokers: gtBrokers }, { node: 'MX', brokers: mxBrokers }], MM);
}, 20 * 60_000 + 240_000);

afterAll(async () => {
  try {
    await discardTopology([mxPort, gtPort], MM);
  } finally {
    release?.();
  }
}, 60_000);

it('MirrorMaker 2 copies keyed records addressed to MX from GT\'s cluster to MX\'s, under the same name, in order per key', async () => {
  const topic = exchangeTopic('MX', 'match-keys');
  // The topic may already hold other specs' envelopes (the GT broker is shared by the run, and
  // MirrorMaker copies from the earliest offset): this spec reads only its own keys.
  const run = randomUUID().slice(0, 8);
  const keys = ['person-a', 'person-b', 'person-c', 'person-d'].map((k) => `${k}-${run}`);
  const sent = Array.from({ length: 400 }, (_, i) => ({ key: keys[i % keys.length], value: Buffer.from(String(i)), headers: { seq: String(i) } }));
  for (let i = 0; i < sent.length; i += 100) await sendRaw(gt, topic, sent.slice(i, i + 100));
  const ours = <R extends { key: string | null }>(records: R[]): R[] => records.filter((r) => r.key !== null && keys.includes(r.key));
  const copied = ours(await readTopic(mx, topic, { until: (seen) => ours(seen).length >= sent.length, timeoutMs: 90_000 }));
  expect(copied).toHaveLength(sent.length);
  for (const key of keys) {
    const order = copied.filter((r) => r.key === key).map((r) => Number(r.value.toString()));
    expect(order).toEqual(sent.filter((s) => s.key === key).map((s) => Number(s.value.toString())));
  }
  expect(copied.every((r) => r.headers.seq === r.value.toString())).toBe(true);
}, 120_000);

it('records addressed to another node stay on GT\'s cluster', async () => {
  const toHn = exchangeTopic('HN', 'match-keys');
  await ensureTopics(gt, [{ name: toHn, partitions: 1 }]);
  await sendRaw(gt, toHn, [{ key: 'person-x', value: Buffer.from('x') }]);
  // Checked after a record addressed to MX, sent later, has crossed (MirrorMaker is running).
  await sendRaw(gt, exchangeTopic('MX', 'match-keys'), [{ key: 'marker', value: Buffer.from('after') }]);
  await readTopic(mx, exchangeTopic('MX', 'match-keys'), { until: (seen) => seen.some((r) => r.key === 'marker'), timeoutMs: 60_000 });
  const admin = mx.admin();
  await admin.connect();
  try {
    expect(await admin.listTopics()).not.toContain(toHn);
  } finally {
    await admin.disconnect();
  }
}, 90_000);

it('MirrorMaker finds its connectors through their ServiceLoader manifests, without scanning the class path (2-3 CPU-seconds per scan)', () => {
  const log = readFileSync(join(__dirname, '..', '..', '..', '.cache', 'mirrormaker', MM, 'logs', 'server.log'), 'utf8');
  const thisStart = log.slice(log.lastIndexOf('Kafka MirrorMaker initializing'));
  expect(thisStart).toMatch(/Kafka MirrorMaker started/);
  expect(thisStart.match(/Scanning plugins with ServiceLoaderScanner/g)?.length).toBeGreaterThanOrEqual(3);
  expect(thisStart).not.toMatch(/ReflectionScanner/);
});
