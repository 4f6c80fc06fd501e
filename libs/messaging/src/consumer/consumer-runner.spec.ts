import { eventually, openTestDataSource, spawnTs, uniqueName } from '@puente/testing';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { toHeaders } from '../kafka/cloudevents';
import { createBrokerClient, parseBrokers, type BrokerClient } from '../kafka/kafka-client';
import { ensureTopics } from '../kafka/topic-admin';
import { readTopic, sendRaw } from '../kafka/topic-reader';
import { OutboxWriter } from '../outbox/outbox-writer';
import { messagingEntities, messagingMigrations } from '../schema';
import { createEffectTable, effectBinding, effectCounts } from '../testing/effects';
import { dlqTopicOf } from './dead-letter';
import { ConsumerRunner } from './consumer-runner';

jest.setTimeout(180_000);

const here = join(__dirname, '..', 'testing');
let broker: BrokerClient;
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(() => {
  broker = createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId: 'consumer-spec' });
});

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

async function db(name: string): Promise<{ ds: DataSource; url: string }> {
  const ds = await openTestDataSource({ name, entities: messagingEntities, migrations: messagingMigrations });
  await createEffectTable(ds);
  cleanup.push(() => ds.destroy());
  return { ds, url: (ds.options as { url: string }).url };
}

async function topicWithDlq(partitions: number): Promise<string> {
  const topic = uniqueName('test.consumer');
  await ensureTopics(broker, [
    { name: topic, partitions },
    { name: dlqTopicOf(topic), partitions },
  ]);
  return topic;
}

function event(id: string, key: string, type = 'puente.test.v1.E') {
  return {
    key,
    value: Buffer.from(`payload-${id}`),
    headers: toHeaders({ id, type, source: '/puente/test/spec', time: new Date().toISOString(), subject: key }),
  };
}

function runner(ds: DataSource, topic: string, groupId: string, extra: Partial<ConstructorParameters<typeof ConsumerRunner>[0]> = {}) {
  const r = new ConsumerRunner({ broker, dataSource: ds, groupId, bindings: [effectBinding(topic)], ...extra });
  cleanup.push(() => r.stop());
  return r;
}

describe('consumer runner with inbox, retries and DLQ (real PostgreSQL and Kafka)', () => {
  it('sends a poison message to the DLQ after N attempts while later messages on its partition are processed', async () => {
    const { ds } = await db('consumer_poison');
    const topic = await topicWithDlq(1);
    const binding = effectBinding(topic, (e) => e.key === 'poison');
    const r = runner(ds, topic, uniqueName('g'), {
      bindings: [binding],
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100, multiplier: 2 },
    });
    await sendRaw(broker, topic, [
      event('e-1', 'case-a'),
      event('e-poison', 'poison'),
      { key: 'case-a', value: Buffer.from('not a cloud event'), headers: { 'content-type': 'text/plain' } },
      event('e-2', 'case-a'),
      event('e-3', 'case-a'),
    ]);
    await r.start();
    const dlq = await readTopic(broker, dlqTopicOf(topic), { until: (s) => s.length >= 2 });
    await eventually('later messages applied', async () => (await effectCounts(ds)).rows === 3);

    const poison = dlq.find((m) => m.headers.ce_id === 'e-poison');
    expect(poison?.headers).toMatchObject({
      dlq_attempts: '3',
      dlq_original_topic: topic,
      dlq_original_partition: '0',
      dlq_original_offset: '1',
      dlq_handler: 'test-effect',
      ce_type: 'puente.test.v1.E',
    });
    expect(poison?.headers.dlq_error_message).toContain('handler rejected a poison event');
    expect(poison?.value.toString()).toBe('payload-e-poison');
    expect(binding.attempts.get('e-poison')).toBe(3);
    const malformed = dlq.find((m) => m.headers.dlq_original_offset === '2');
    expect(malformed?.headers).toMatchObject({ dlq_error_type: 'InvalidCloudEvent', dlq_attempts: '1' });
    // The failed attempts rolled back their effect: nothing half-written.
    const ids = (await ds.query('SELECT event_id FROM test_effect ORDER BY n')).map((r: { event_id: string }) => r.event_id);
    expect(ids).toEqual(['e-1', 'e-2', 'e-3']);
    expect(r.counts).toMatchObject({ applied: 3, 'dead-lettered': 2 });
  });

  it('treats a handler that lost its database as an outage (no DLQ; applied once it is back) and puts only the SQLSTATE of a database error in DLQ headers', async () => {
    const { ds } = await db('consumer_outage');
    const topic = await topicWithDlq(1);
    const secret = 'Ximena Quispe Mamani';
    // A real "database not there" error: what a handler's query gets while PostgreSQL is down.
    const unreachable = await new Client({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', connectionTimeoutMillis: 2000 }).connect().then(
      () => null,
      (e: Error) => e,
    );
    expect(unreachable).not.toBeNull();
    const attempts = new Map<string, number>();
    const r = runner(ds, topic, uniqueName('g'), {
      retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50, multiplier: 2 },
      bindings: [
        {
          name: 'outage-probe',
          topic,
          handle: async (e, tx) => {
            const n = (attempts.get(e.id) ?? 0) + 1;
            attempts.set(e.id, n);
            if (e.key === 'outage' && n <= 3) throw unreachable;
            if (e.key === 'quoting') await tx.query('SELECT $1::int', [secret]); // PostgreSQL quotes the value in its message
            await tx.query('INSERT INTO test_effect (event_id, key) VALUES ($1, $2)', [e.id, e.key]);
          },
        },
      ],
    });
    await sendRaw(broker, topic, [event('e-outage', 'outage'), event('e-quoting', 'quoting'), event('e-after', 'case-a')]);
    await r.start();
    await eventually('the outage event applied once the database answers', async () => (await effectCounts(ds)).rows === 2, 60_000);
    const dlq = await readTopic(broker, dlqTopicOf(topic), { until: (m) => m.length >= 1 });
    expect(dlq.map((m) => m.headers.ce_id)).toEqual(['e-quoting']);
    expect(dlq[0].headers.dlq_error_message).toBe('QueryFailedError: database error 22P02');
    expect(JSON.stringify(dlq[0].headers)).not.toContain(secret);
    expect(attempts.get('e-outage')).toBeGreaterThan(2); // more than maxAttempts: outages do not count toward the DLQ
    const ids = (await ds.query('SELECT event_id FROM test_effect ORDER BY n')).map((x: { event_id: string }) => x.event_id);
    expect(ids).toEqual(['e-outage', 'e-after']);
  });

  it('hands a batch binding the fresh events of a run at once, and isolates a poison event in a batch for its retries and DLQ', async () => {
    const { ds } = await db('consumer_batch');
    const topic = await topicWithDlq(1);
    const calls: string[][] = [];
    const r = runner(ds, topic, uniqueName('g'), {
      retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50, multiplier: 2 },
      bindings: [
        {
          name: 'test-batch',
          topic,
          handle: async () => {
            throw new Error('a batch binding is called through handleBatch');
          },
          handleBatch: async (events, tx) => {
            calls.push(events.map((e) => e.id));
            await tx.query('INSERT INTO test_effect (event_id, key) SELECT * FROM unnest($1::text[], $2::text[])', [events.map((e) => e.id), events.map((e) => e.key)]);
            if (events.some((e) => e.key === 'poison')) throw new Error('handler rejected a poison event');
          },
        },
      ],
    });
    const ids = Array.from({ length: 12 }, (_, i) => `b-${i}`);
    await sendRaw(broker, topic, [...ids.slice(0, 6).map((id) => event(id, 'case-b')), event('b-poison', 'poison'), ...ids.slice(6).map((id) => event(id, 'case-b'))]);
    await r.start();
    const dlq = await readTopic(broker, dlqTopicOf(topic), { until: (m) => m.length >= 1 });
    await eventually('the 12 good events applied', async () => (await effectCounts(ds)).rows === 12);
    expect(dlq.map((m) => m.headers.ce_id)).toEqual(['b-poison']);
    expect(dlq[0].headers).toMatchObject({ dlq_handler: 'test-batch', dlq_attempts: '2' });
    expect((await ds.query('SELECT event_id FROM test_effect ORDER BY n')).map((row: { event_id: string }) => row.event_id)).toEqual(ids);
    expect(calls.some((c) => c.length > 1)).toBe(true);
    expect(r.counts).toMatchObject({ applied: 12, 'dead-lettered': 1 });
  });

  it('ignores events a binding does not accept: no effect and no inbox row', async () => {
    const { ds } = await db('consumer_accepts');
    const topic = await topicWithDlq(1);
    const binding = effectBinding(topic);
    const r = runner(ds, topic, uniqueName('g'), { bindings: [{ ...binding, accepts: (e) => e.key !== 'own' }] });
    await sendRaw(broker, topic, [event('a-1', 'own'), event('a-2', 'other'), event('a-3', 'own'), event('a-4', 'other')]);
    await r.start();
    await eventually('the accepted events applied', async () => (await effectCounts(ds)).rows === 2);
    await eventually('all four consumed', async () => r.counts.applied + r.counts.ignored === 4);
    expect((await ds.query('SELECT event_id FROM test_effect ORDER BY n')).map((row: { event_id: string }) => row.event_id)).toEqual(['a-2', 'a-4']);
    expect((await ds.query('SELECT event_id FROM inbox_message ORDER BY event_id')).map((row: { event_id: string }) => row.event_id)).toEqual(['a-2', 'a-4']);
    expect(r.counts).toMatchObject({ applied: 2, ignored: 2 });
  });

  it('applies no duplicate effect when the consumer dies between its effect and its offset commit', async () => {
    const { ds, url } = await db('consumer_crash');
    const topic = await topicWithDlq(3);
    const group = uniqueName('g');
    const ids = Array.from({ length: 300 }, (_, i) => `c-${i}`);
    await sendRaw(broker, topic, ids.map((id, i) => event(id, `case-${i % 11}`)));

    const doomed = spawnTs(join(here, 'consumer-process.ts'), {
      DATABASE_URL: url,
      TOPIC: topic,
      GROUP: group,
      CRASH_AFTER_APPLIED: '100',
    });
    cleanup.push(async () => doomed.child.kill('SIGKILL'));
    const { signal } = await doomed.exited;
    expect(signal).toBe('SIGKILL');
    expect(doomed.output()).toContain('crashing after effect 100');
    // Effects are committed in runs of up to 100 events: at least 100 are in, none twice.
    const atCrash = await effectCounts(ds);
    expect(atCrash.rows).toBe(atCrash.distinct);
    expect(atCrash.rows).toBeGreaterThanOrEqual(100);
    expect(atCrash.rows).toBeLessThan(300);

    const r = runner(ds, topic, group, { sessionTimeoutMs: 6000 });
    await r.start();
    await eventually('all effects applied', async () => (await effectCounts(ds)).distinct === 300, 60_000);
    await eventually('redelivery seen', () => r.counts.duplicate >= 1, 10_000);
    expect(await effectCounts(ds)).toEqual({ rows: 300, distinct: 300 });
  });

  it('delivers every event exactly once in effect when the relay is SIGKILLed mid-batch and restarted', async () => {
    const producer = await db('relay_crash_producer');
    const consumer = await db('relay_crash_consumer');
    const topic = await topicWithDlq(3);
    const writer = new OutboxWriter('/puente/test/crash');
    for (let t = 0; t < 20; t++) {
      await producer.ds.transaction((m) =>
        writer.append(m, ...Array.from({ length: 100 }, (_, i) => ({ topic, key: `case-${(t * 100 + i) % 13}`, type: 'puente.test.v1.E', payload: Buffer.from(`${t}.${i}`) }))),
      );
    }
    const env = { DATABASE_URL: producer.url, BATCH_SIZE: '100' };
    const first = spawnTs(join(here, 'relay-process.ts'), { ...env, CRASH_AFTER_SEND: '5' });
    cleanup.push(async () => first.child.kill('SIGKILL'));
    expect((await first.exited).signal).toBe('SIGKILL');
    const [{ sent }] = await producer.ds.query('SELECT count(*)::int AS sent FROM outbox_message WHERE published_at IS NOT NULL');
    expect(sent).toBe(400); // batch 5 reached Kafka but was never marked

    const second = spawnTs(join(here, 'relay-process.ts'), env);
    cleanup.push(async () => {
      second.child.kill('SIGTERM');
      await second.exited;
    });
    const r = runner(consumer.ds, topic, uniqueName('g'));
    await r.start();
    await eventually('every event applied', async () => (await effectCounts(consumer.ds)).distinct === 2000, 90_000);
    await eventually('the resent batch was seen', () => r.counts.applied + r.counts.duplicate === 2100, 30_000);
    expect(r.counts).toMatchObject({ applied: 2000, duplicate: 100 });
    expect(await effectCounts(consumer.ds)).toEqual({ rows: 2000, distinct: 2000 });
  });
});
