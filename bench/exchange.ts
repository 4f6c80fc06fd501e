// Scenario `exchange`: envelopes from GT to MX end to end, over two real brokers joined by a
// real MirrorMaker 2, with both nodes' databases, outboxes and exchange receivers.
//  1. latency: one envelope per transaction at a fixed 100 envelopes/s at GT; time from the
//     outbox insert at GT to the effect committed at MX (open loop), p50/p99.
//  2. throughput: envelopes inserted as fast as GT can seal them (transactions of 100), timed
//     from the first insert to the last effect at MX: the maximum sustained rate.
//  3. cost: seal + open of a match-key payload against plain protobuf encode + decode, same run.
// The nodes use development keys (throwaway nodes; bench.mjs runs with NODE_ENV=production).
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { MatchKeysPublishedSchema, toTimestamp } from '@puente/contracts';
import {
  devRegistryConfig,
  NodeRegistry,
  openEnvelope,
  peerKafkaPort,
  sealEnvelope,
  startMirrorMaker,
  startPeerBroker,
  stopMirrorMaker,
  stopPeerBroker,
} from '@puente/federation';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startExchangeNode } from '../libs/federation/src/testing/exchange-node';
import { percentile, writeResult } from './support';

const RATE = 100;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 30);
const THROUGHPUT_ENVELOPES = Number(process.env.BENCH_ENVELOPES ?? 5000);
const COST_ROUNDS = 2000;
const MM = 'bench-exchange';
const log = (m: string) => process.stderr.write(`[bench:exchange] ${m}\n`);
const devEnv = { NODE_ENV: 'development' };
// Keys of this run: the broker bench.mjs reuses may still hold envelopes of earlier runs (validly
// signed with the same development keys), which MirrorMaker copies too; only this run's count.
const RUN = `bench-${Date.now().toString(36)}`;

function matchKeys(): Uint8Array {
  const keys = Array.from({ length: 12 }, (_, i) => ({ rule: 'FULLNAME_DOB', kid: 'gt-mx-2026', value: randomUUID().replace(/-/g, '') + i }));
  return toBinary(MatchKeysPublishedSchema, create(MatchKeysPublishedSchema, { personId: randomUUID(), node: 'GT', keys, publishedAt: toTimestamp() }));
}

function database(name: string) {
  return async (schema: { entities: unknown[]; migrations: unknown[] }): Promise<DataSource> => {
    const server = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
    const admin = new DataSource({ type: 'postgres', url: server });
    await admin.initialize();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.destroy();
    const u = new URL(server);
    u.pathname = `/${name}`;
    const ds = new DataSource({ type: 'postgres', url: u.toString(), entities: schema.entities as never, migrations: schema.migrations as never, extra: { max: 10 } });
    await ds.initialize();
    await ds.runMigrations();
    return ds;
  };
}

async function main() {
  const gtRegistry = new NodeRegistry(devRegistryConfig('GT', devEnv));
  const mxRegistry = new NodeRegistry(devRegistryConfig('MX', devEnv));

  // 3. cost, first (nothing else running)
  const payloads = Array.from({ length: COST_ROUNDS }, () => matchKeys());
  let t0 = performance.now();
  for (const p of payloads) fromBinary(MatchKeysPublishedSchema, toBinary(MatchKeysPublishedSchema, fromBinary(MatchKeysPublishedSchema, p)));
  const plainUs = ((performance.now() - t0) * 1000) / COST_ROUNDS;
  t0 = performance.now();
  for (const p of payloads) {
    const { value } = await sealEnvelope(gtRegistry, { to: 'MX', kind: 'match-keys', payload: p });
    const opened = await openEnvelope(mxRegistry, value);
    if (!opened.ok) throw new Error(`bench envelope refused: ${opened.reason}`);
  }
  const sealOpenUs = ((performance.now() - t0) * 1000) / COST_ROUNDS;
  log(`seal+open ${sealOpenUs.toFixed(0)} µs vs protobuf decode+encode+decode ${plainUs.toFixed(1)} µs per envelope`);

  const mxPort = peerKafkaPort();
  const mxBrokers = await startPeerBroker(mxPort);
  const gtBrokers = process.env.KAFKA_BROKERS as string;
  const gt = await startExchangeNode({ registry: gtRegistry, brokers: gtBrokers, database: 'bench_exchange_gt', open: database('bench_exchange_gt'), label: 'bench' });
  const mx = await startExchangeNode({
    registry: mxRegistry,
    brokers: mxBrokers,
    database: 'bench_exchange_mx',
    open: database('bench_exchange_mx'),
    label: 'bench',
    setup: (ds) => ds.query('CREATE TABLE bench_applied (envelope_id text PRIMARY KEY, sent_ms bigint NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())'),
    effects: {
      'match-keys': async (e, tx, event) => {
        if (!event.key?.startsWith(RUN)) return;
        await tx.query('INSERT INTO bench_applied (envelope_id, sent_ms) VALUES ($1, $2)', [e.jti, Number(Buffer.from(e.payload).toString())]);
      },
    },
  });
  await startMirrorMaker(
    [
      { node: 'GT', brokers: gtBrokers },
      { node: 'MX', brokers: mxBrokers },
    ],
    MM,
  );
  const countApplied = async () => Number((await mx.ds.query('SELECT count(*)::int AS n FROM bench_applied'))[0].n);
  const waitFor = async (n: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while ((await countApplied()) < n) {
      if (Date.now() > deadline) throw new Error(`only ${await countApplied()} of ${n} envelopes applied at MX within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    // warm-up: topics discovered by MirrorMaker, consumer groups joined
    await gt.send((tx) => gt.writer.send(tx, { to: 'MX', kind: 'match-keys', key: `${RUN}-warm-up`, payload: Buffer.from(String(Date.now())) }));
    await waitFor(1, 120_000);

    // 1. latency at a fixed rate (open loop: each envelope is due at start + i/RATE)
    const total = RATE * LATENCY_SECONDS;
    const start = Date.now() + 50;
    const inserts: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inserts.push(gt.send((tx) => gt.writer.send(tx, { to: 'MX', kind: 'match-keys', key: `${RUN}-person-${i % 50}`, payload: Buffer.from(String(due)) })));
    }
    await Promise.all(inserts);
    await waitFor(1 + total, 180_000);
    const rows: { latency: number }[] = await mx.ds.query(`SELECT extract(epoch FROM applied_at) * 1000 - sent_ms AS latency FROM bench_applied WHERE envelope_id IN (SELECT envelope_id FROM bench_applied ORDER BY applied_at OFFSET 1)`);
    const latencies = rows.map((r) => Number(r.latency)).sort((a, b) => a - b);
    const latency = { rate: RATE, envelopes: total, p50Ms: Math.round(percentile(latencies, 50)), p99Ms: Math.round(percentile(latencies, 99)), maxMs: Math.round(latencies[latencies.length - 1]) };
    log(`latency at ${RATE}/s: p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms (${total} envelopes)`);

    // 2. maximum sustained rate end to end
    const before = await countApplied();
    const t1 = Date.now();
    for (let b = 0; b < THROUGHPUT_ENVELOPES / 100; b++) {
      await gt.send((tx) =>
        gt.writer.send(tx, ...Array.from({ length: 100 }, (_, j) => ({ to: 'MX', kind: 'match-keys' as const, key: `${RUN}-bulk-${j % 50}`, payload: Buffer.from(String(Date.now())) }))),
      );
    }
    const insertedMs = Date.now() - t1;
    await waitFor(before + THROUGHPUT_ENVELOPES, 300_000);
    const seconds = (Date.now() - t1) / 1000;
    const throughput = { envelopes: THROUGHPUT_ENVELOPES, seconds: Number(seconds.toFixed(2)), envelopesPerSec: Math.round(THROUGHPUT_ENVELOPES / seconds), sealedPerSecAtGt: Math.round(THROUGHPUT_ENVELOPES / (insertedMs / 1000)) };
    log(`max sustained: ${throughput.envelopesPerSec} envelopes/s end to end (GT sealed and stored ${throughput.sealedPerSecAtGt}/s)`);

    const file = writeResult('exchange', {
      latency,
      throughput,
      cost: { sealPlusOpenUs: Math.round(sealOpenUs), protobufDecodeEncodeDecodeUs: Number(plainUs.toFixed(2)), ratio: Math.round(sealOpenUs / plainUs) },
    });
    log(`result: ${file}`);
  } finally {
    await gt.stop();
    await mx.stop();
    await stopMirrorMaker(MM);
    await stopPeerBroker(mxPort);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(String(e?.stack ?? e));
    process.exit(1);
  },
);
