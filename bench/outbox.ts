// Scenario `outbox`: what the transactional outbox costs against a bare producer.
//  1. throughput: 100,000 events through OutboxWriter (transactions of BATCH) + OutboxRelay,
//     timed from the first insert to the last Kafka ack, vs the same events sent with a bare
//     idempotent kafkajs producer at the same batch size to the same broker.
//  2. latency: events inserted one per transaction at a fixed 1,000 events/s; time from the
//     insert to the consumer's effect committed (ConsumerRunner with inbox), p50/p99.
import { create, toBinary } from '@bufbuild/protobuf';
import { AgeBand, CaseOpenedSchema, Priority, Sex, toTimestamp } from '@puente/contracts';
import {
  ConsumerRunner,
  createBrokerClient,
  createIdempotentProducer,
  ensureTopics,
  messagingEntities,
  messagingMigrations,
  OutboxRelay,
  OutboxWriter,
  type OutgoingEvent,
  parseBrokers,
  toHeaders,
} from '@puente/messaging';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { percentile, writeResult } from './support';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 100_000);
const BATCH = 500;
const RATE = 1000;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 15);

const log = (m: string) => process.stderr.write(`[bench:outbox] ${m}\n`);

function payload(i: number): Buffer {
  return Buffer.from(
    toBinary(
      CaseOpenedSchema,
      create(CaseOpenedSchema, {
        caseId: randomUUID(),
        reference: `GT-2026-${String(i).padStart(6, '0')}`,
        siteCode: 'GT-MRC-01',
        custodyNode: 'GT',
        openedAt: toTimestamp(new Date()),
        priority: Priority.HIGH,
        ageBand: AgeBand.AGED_18_TO_59,
        sex: Sex.FEMALE,
        nationality: 'HN',
      }),
    ),
  );
}

async function database(name: string): Promise<DataSource> {
  const server = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new DataSource({ type: 'postgres', url: server });
  await admin.initialize();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.destroy();
  const u = new URL(server);
  u.pathname = `/${name}`;
  const ds = new DataSource({ type: 'postgres', url: u.toString(), entities: messagingEntities, migrations: messagingMigrations, extra: { max: 10 } });
  await ds.initialize();
  await ds.runMigrations();
  return ds;
}

async function main() {
  const broker = createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId: 'bench-outbox' });
  const run = Date.now().toString(36);
  const bareTopic = `bench.bare.${run}`;
  const outboxTopic = `bench.outbox.${run}`;
  const latencyTopic = `bench.latency.${run}`;
  await ensureTopics(broker, [bareTopic, outboxTopic, latencyTopic, `${latencyTopic}.dlq`].map((name) => ({ name, partitions: 6 })));
  const payloads = Array.from({ length: TOTAL }, (_, i) => payload(i));
  const keys = Array.from({ length: TOTAL }, () => randomUUID());

  // 1a. bare producer
  const producer = createIdempotentProducer(broker);
  await producer.connect();
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < TOTAL; i += BATCH) {
    const messages = [];
    for (let j = i; j < Math.min(TOTAL, i + BATCH); j++) {
      messages.push({
        key: keys[j],
        value: payloads[j],
        headers: toHeaders({ id: randomUUID(), type: 'puente.intake.v1.CaseOpened', source: '/puente/gt/bench', time: new Date().toISOString(), subject: keys[j] }),
      });
    }
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic: bareTopic, messages }] });
  }
  const bareSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await producer.disconnect();
  const bareRate = TOTAL / bareSeconds;
  log(`bare producer: ${TOTAL} events in ${bareSeconds.toFixed(2)} s = ${bareRate.toFixed(0)} events/s`);

  // 1b. outbox + relay, end to end (inserts and relay run concurrently)
  const ds = await database('puente_bench_outbox');
  const writer = new OutboxWriter('/puente/gt/bench');
  const url = (ds.options as { url: string }).url;
  let published = 0;
  let done: () => void = () => undefined;
  const allPublished = new Promise<void>((r) => (done = r));
  const relay = new OutboxRelay({
    database: { connectionString: url },
    broker,
    batchSize: BATCH,
    onPublished: (n) => {
      published += n;
      if (published >= TOTAL) done();
    },
  });
  relay.start();
  while (!relay.isLeader) await new Promise((r) => setTimeout(r, 20));
  t0 = process.hrtime.bigint();
  for (let i = 0; i < TOTAL; i += BATCH) {
    const events: OutgoingEvent[] = [];
    for (let j = i; j < Math.min(TOTAL, i + BATCH); j++) {
      events.push({ topic: outboxTopic, key: keys[j], type: 'puente.intake.v1.CaseOpened', payload: payloads[j] });
    }
    await ds.transaction((m) => writer.append(m, ...events));
  }
  const insertSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await allPublished;
  const outboxSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await relay.stop();
  const outboxRate = TOTAL / outboxSeconds;
  log(`outbox + relay: ${TOTAL} events in ${outboxSeconds.toFixed(2)} s = ${outboxRate.toFixed(0)} events/s (inserts alone ${insertSeconds.toFixed(2)} s)`);

  // 2. latency at a fixed rate: insert (own transaction) -> relay -> consumer effect committed
  const latencies: number[] = [];
  const relayLag: number[] = [];
  const sentAtMs = new Map<string, number>();
  const sentAt = new Map<string, bigint>();
  const consumerDs = await database('puente_bench_outbox_consumer');
  const relay2 = new OutboxRelay({ database: { connectionString: url }, broker, batchSize: BATCH });
  relay2.start();
  const runner = new ConsumerRunner({
    broker,
    dataSource: consumerDs,
    groupId: `bench.${run}`,
    bindings: [
      {
        name: 'latency-probe',
        topic: latencyTopic,
        handle: async (event, tx) => {
          await tx.query('SELECT 1');
          const key = event.key as string;
          const start = sentAt.get(key);
          // measured when the effect transaction is about to commit
          if (start !== undefined) latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
          const startMs = sentAtMs.get(key);
          if (startMs !== undefined) relayLag.push(event.producedAt - startMs);
        },
      },
    ],
  });
  await runner.start();
  // warm-up: the group join and first fetch are not part of steady-state latency
  await ds.transaction((m) => writer.append(m, { topic: latencyTopic, key: 'warmup', type: 'puente.bench.v1.Warmup', payload: Buffer.from('w') }));
  await new Promise((r) => setTimeout(r, 3000));
  const count = RATE * LATENCY_SECONDS;
  const tStart = Date.now();
  // Open loop: insert i is due at tStart + i/RATE whatever happened to the ones before it (a
  // barrier every N inserts would let one slow commit lower the rate being measured).
  const inflight = new Set<Promise<unknown>>();
  for (let i = 0; i < count; i++) {
    const due = tStart + (i * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const key = randomUUID();
    const insert = ds.transaction((m) => {
      // Latency starts at the outbox insert (a connection is held), not while queued for one.
      sentAt.set(key, process.hrtime.bigint());
      sentAtMs.set(key, Date.now());
      return writer.append(m, { topic: latencyTopic, key, type: 'puente.intake.v1.CaseOpened', payload: payloads[i % TOTAL] });
    });
    inflight.add(insert);
    void insert.finally(() => inflight.delete(insert));
  }
  await Promise.all(inflight);
  const achievedRate = count / ((Date.now() - tStart) / 1000);
  const deadline = Date.now() + 60_000;
  while (latencies.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await runner.stop();
  await relay2.stop();
  await ds.destroy();
  await consumerDs.destroy();
  latencies.sort((a, b) => a - b);
  relayLag.sort((a, b) => a - b);
  log(`insert -> produced (relay) p50 ${percentile(relayLag, 50)} ms, p99 ${percentile(relayLag, 99)} ms`);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  log(`latency at ${achievedRate.toFixed(0)} events/s: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms over ${latencies.length} events`);

  const ratio = outboxRate / bareRate;
  const result = {
    events: TOTAL,
    batchSize: BATCH,
    throughput: {
      bareProducerEventsPerSec: Math.round(bareRate),
      outboxRelayEventsPerSec: Math.round(outboxRate),
      ratio: Number(ratio.toFixed(3)),
      target: 0.5,
      met: ratio >= 0.5,
    },
    latency: {
      rateEventsPerSec: Math.round(achievedRate),
      measured: latencies.length,
      expected: count,
      p50Ms: Number(p50.toFixed(2)),
      p99Ms: Number(p99.toFixed(2)),
      maxMs: Number(latencies[latencies.length - 1]?.toFixed(2)),
      relayShareP50Ms: percentile(relayLag, 50),
      relayShareP99Ms: percentile(relayLag, 99),
      targetP99Ms: 100,
      met: p99 <= 100 && latencies.length === count,
    },
  };
  const file = writeResult('outbox', result);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\nwritten to ${file}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
