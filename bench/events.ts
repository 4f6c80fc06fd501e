// Scenario `events`: what the inbox consumer costs against a bare kafkajs consumer, and how fast
// intake's case timeline is rebuilt from Kafka.
//
//  1. consume: BENCH_EVENTS CaseOpened events (protobuf, CloudEvents headers, 6 partitions) are
//     produced once; then, in alternating rounds, each consumer reads all of them in a new group
//     and applies the same effect, one row per event in a case table (a multi-row insert per run):
//      - system: ConsumerRunner (inbox row per event in the effect's transaction, offsets
//        committed after the effect, retries and DLQ on failure), with a batch handler;
//      - baseline: a bare kafkajs consumer (startBareConsumer, libs/messaging) inserting the same
//        rows per batch, kafkajs committing offsets.
//     Timed from the first batch handed to the consumer to the last effect row (group joins are
//     left out). Target: ratio (system events/s over baseline events/s) ≥ 0.5.
//  2. timeline rebuild: BENCH_TIMELINE_EVENTS events about BENCH_TIMELINE_EVENTS/10 cases on a
//     topic of their own, rebuilt into timeline_entry by intake's rebuildTimeline (what
//     `npm run timeline:rebuild` runs): seconds and events/s.
//
//   npm run bench -- events      BENCH_EVENTS (100000), BENCH_ROUNDS (4; 0 skips part 1), BENCH_TIMELINE_EVENTS (1000000; 0 skips
//                                part 2), BENCH_TIMELINE_TOPIC (rebuild from this topic of an earlier run instead of producing one)
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { AgeBand, CaseOpenedSchema, Priority, Sex, toTimestamp } from '@puente/contracts';
import {
  type BrokerClient,
  ConsumerRunner,
  createBrokerClient,
  createIdempotentProducer,
  ensureTopics,
  messagingEntities,
  messagingMigrations,
  parseBrokers,
  startBareConsumer,
  toHeaders,
} from '@puente/messaging';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { intakeMigrations } from '../services/intake/src/migrations';
import { TimelineEntry } from '../services/intake/src/timeline/timeline-entry.entity';
import { rebuildTimeline } from '../services/intake/src/timeline/timeline-rebuild';
import { machineLoad, writeResult } from './support';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const TIMELINE_EVENTS = Number(process.env.BENCH_TIMELINE_EVENTS ?? 1_000_000);
const PARTITIONS = 6;
const RATIO_TARGET = 0.5;
const PREFIX = process.env.BENCH_DB_PREFIX ?? 'puente_bench_';
const log = (m: string) => process.stderr.write(`[bench:events] ${m}\n`);

function caseOpened(caseId: string, i: number): Buffer {
  return Buffer.from(
    toBinary(
      CaseOpenedSchema,
      create(CaseOpenedSchema, {
        caseId,
        reference: `GT-2026-${String(i + 1).padStart(6, '0')}`,
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

/** Produces `total` CaseOpened events on `topic`, `cases` distinct keys; returns seconds. */
async function produce(broker: BrokerClient, topic: string, total: number, cases: number): Promise<number> {
  const producer = createIdempotentProducer(broker);
  await producer.connect();
  const caseIds = Array.from({ length: Math.max(1, cases) }, () => randomUUID());
  const started = performance.now();
  try {
    for (let i = 0; i < total; i += 1000) {
      const messages = [];
      for (let j = i; j < Math.min(total, i + 1000); j++) {
        const key = caseIds[j % caseIds.length];
        messages.push({ key, value: caseOpened(key, j), headers: toHeaders({ id: randomUUID(), type: 'puente.intake.v1.CaseOpened', source: '/puente/gt/bench', time: new Date().toISOString(), subject: key }) });
      }
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
    }
  } finally {
    await producer.disconnect();
  }
  return (performance.now() - started) / 1000;
}

async function database(name: string, options: { entities: DataSource['options']['entities']; migrations: DataSource['options']['migrations'] }): Promise<DataSource> {
  const server = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new DataSource({ type: 'postgres', url: server });
  await admin.initialize();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.destroy();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const ds = new DataSource({ type: 'postgres', url: url.toString(), ...options, extra: { max: 10 } } as never);
  await ds.initialize();
  await ds.runMigrations();
  return ds;
}

const EFFECT = `INSERT INTO bench_case (case_id, reference) SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING`;

/** Waits until the effect table holds `total` rows; returns when that was seen (ms). */
async function until(ds: DataSource, total: number, deadlineMs: number): Promise<number> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const [{ n }] = (await ds.query('SELECT count(*)::int AS n FROM bench_case')) as { n: number }[];
    if (n >= total) return performance.now();
    if (Date.now() > deadline) throw new Error(`only ${n} of ${total} effects after ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface ConsumeRun {
  seconds: number;
  eventsPerSec: number;
  load: ReturnType<typeof machineLoad>;
}

async function main(): Promise<void> {
  const broker = createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId: 'bench-events' });
  const run = Date.now().toString(36);
  const topic = `bench.events.${run}`;
  const rounds: { round: number; order: string[]; system: ConsumeRun; baseline: ConsumeRun; ratio: number }[] = [];
  if (ROUNDS > 0) rounds.push(...(await consume(broker, topic, run)));
  const systemSeconds = rounds.reduce((a, r) => a + r.system.seconds, 0);
  const baselineSeconds = rounds.reduce((a, r) => a + r.baseline.seconds, 0);
  const ratio = ROUNDS > 0 ? Math.round((baselineSeconds / systemSeconds) * 1000) / 1000 : NaN;

  let timeline: Record<string, unknown> | null = null;
  if (TIMELINE_EVENTS > 0) {
    const timelineTopic = process.env.BENCH_TIMELINE_TOPIC || `bench.timeline.${run}`;
    if (!process.env.BENCH_TIMELINE_TOPIC) {
      await ensureTopics(broker, [{ name: timelineTopic, partitions: PARTITIONS }]);
      const producedSeconds = await produce(broker, timelineTopic, TIMELINE_EVENTS, Math.ceil(TIMELINE_EVENTS / 10));
      log(`timeline: ${TIMELINE_EVENTS} events about ${Math.ceil(TIMELINE_EVENTS / 10)} cases produced in ${producedSeconds.toFixed(1)} s`);
    }
    const intake = await database(`${PREFIX}events_timeline`, { entities: [TimelineEntry], migrations: intakeMigrations });
    const loadBefore = machineLoad();
    const started = performance.now();
    const report = await rebuildTimeline({ dataSource: intake, broker, topics: [{ name: timelineTopic, partitions: PARTITIONS }], timeoutMs: 1_800_000, log });
    const seconds = (performance.now() - started) / 1000;
    const [{ size }] = (await intake.query(`SELECT pg_size_pretty(pg_total_relation_size('timeline_entry')) AS size`)) as { size: string }[];
    await intake.destroy();
    timeline = { events: report.records, entries: report.entries, skipped: report.skipped, seconds: Math.round(seconds * 10) / 10, eventsPerSec: Math.round(report.records / seconds), tableSize: size, loadBefore, loadAfter: machineLoad() };
    log(`timeline rebuilt: ${report.entries} entries in ${seconds.toFixed(1)} s = ${Math.round(report.records / seconds)} events/s (timeline_entry ${size})`);
  }

  const result = {
    events: EVENTS,
    partitions: PARTITIONS,
    rounds,
    systemEventsPerSec: Math.round((EVENTS * ROUNDS) / systemSeconds),
    baselineEventsPerSec: Math.round((EVENTS * ROUNDS) / baselineSeconds),
    ratio,
    ratioTarget: RATIO_TARGET,
    timelineRebuild: timeline,
    met: ratio >= RATIO_TARGET,
  };
  const file = writeResult('events', result);
  log(`ratio ${ratio}: system ${result.systemEventsPerSec} events/s, baseline ${result.baselineEventsPerSec} events/s`);
  process.stdout.write(`${JSON.stringify({ ratio, timeline, met: result.met, file })}\n`);
}

/** Part 1: the alternating rounds of the inbox consumer and the bare consumer. */
async function consume(broker: BrokerClient, topic: string, run: string) {
  await ensureTopics(broker, [topic, `${topic}.dlq`].map((name) => ({ name, partitions: PARTITIONS })));
  const produced = await produce(broker, topic, EVENTS, EVENTS);
  log(`${EVENTS} events produced in ${produced.toFixed(1)} s`);

  const ds = await database(`${PREFIX}events`, { entities: messagingEntities, migrations: messagingMigrations });
  await ds.query(`CREATE TABLE bench_case (case_id uuid PRIMARY KEY, reference text NOT NULL)`);
  const reset = () => ds.query('TRUNCATE bench_case, inbox_message');
  // The same work in both consumers: decode each payload, one row per case.
  const rowsOf = (events: { payload: Buffer }[]) => {
    const decoded = events.map((e) => fromBinary(CaseOpenedSchema, e.payload));
    return [decoded.map((d) => d.caseId), decoded.map((d) => d.reference)];
  };

  const system = async (round: number): Promise<ConsumeRun> => {
    await reset();
    let first = 0;
    const runner = new ConsumerRunner({
      broker,
      dataSource: ds,
      groupId: `bench-system-${run}-${round}`,
      bindings: [
        {
          name: 'bench-case',
          topic,
          handle: async () => undefined,
          handleBatch: async (events, tx) => {
            first ||= performance.now();
            await tx.query(EFFECT, rowsOf(events));
          },
        },
      ],
    });
    await runner.start();
    try {
      const done = await until(ds, EVENTS, 600_000);
      const seconds = (done - first) / 1000;
      return { seconds: Math.round(seconds * 100) / 100, eventsPerSec: Math.round(EVENTS / seconds), load: machineLoad() };
    } finally {
      await runner.stop();
    }
  };
  const baseline = async (round: number): Promise<ConsumeRun> => {
    await reset();
    let first = 0;
    const consumer = await startBareConsumer(broker, {
      groupId: `bench-bare-${run}-${round}`,
      topic,
      eachBatch: async (messages) => {
        first ||= performance.now();
        await ds.query(EFFECT, rowsOf(messages.map((m) => ({ payload: m.value ?? Buffer.alloc(0) }))));
      },
    });
    try {
      const done = await until(ds, EVENTS, 600_000);
      const seconds = (done - first) / 1000;
      return { seconds: Math.round(seconds * 100) / 100, eventsPerSec: Math.round(EVENTS / seconds), load: machineLoad() };
    } finally {
      await consumer.stop();
    }
  };

  const rounds: { round: number; order: string[]; system: ConsumeRun; baseline: ConsumeRun; ratio: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? ['baseline', 'system'] : ['system', 'baseline'];
    const results: Record<string, ConsumeRun> = {};
    for (const phase of order) results[phase] = phase === 'system' ? await system(i) : await baseline(i);
    const ratio = Math.round((results.system.eventsPerSec / results.baseline.eventsPerSec) * 1000) / 1000;
    rounds.push({ round: i + 1, order, system: results.system, baseline: results.baseline, ratio });
    log(`round ${i + 1}/${ROUNDS}: baseline ${results.baseline.eventsPerSec} events/s, system ${results.system.eventsPerSec} events/s, ratio ${ratio} (load ${results.system.load.load1})`);
  }
  await ds.destroy();
  return rounds;
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
