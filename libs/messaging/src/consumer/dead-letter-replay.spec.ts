import { eventually, openTestDataSource, runTs, uniqueName } from '@puente/testing';
import type { DataSource } from 'typeorm';
import { toHeaders } from '../kafka/cloudevents';
import { createBrokerClient, parseBrokers, type BrokerClient } from '../kafka/kafka-client';
import { ensureTopics } from '../kafka/topic-admin';
import { readTopic, sendRaw } from '../kafka/topic-reader';
import { messagingEntities, messagingMigrations } from '../schema';
import { createEffectTable, effectCounts } from '../testing/effects';
import { ConsumerRunner } from './consumer-runner';
import { dlqTopicOf } from './dead-letter';
import { readDeadLetters } from './dead-letter-replay';

jest.setTimeout(180_000);

const dlq = (args: string[], env: Record<string, string> = {}) => runTs('tools/dlq.ts', args, { KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', ...env });

function event(id: string, key: string) {
  return {
    key,
    value: Buffer.from(`payload-${id}`),
    headers: toHeaders({ id, type: 'puente.test.v1.E', source: '/puente/test/dlq', time: new Date().toISOString(), subject: key }),
  };
}

describe('dead letters listed and replayed once the cause is fixed (tools/dlq.ts, real Kafka and PostgreSQL)', () => {
  let broker: BrokerClient;
  let ds: DataSource;
  let runner: ConsumerRunner;
  let topic: string;
  const group = uniqueName('g.dlq-spec');
  /** The "bug": the handler refuses events keyed `bug` while this is true. */
  let broken = true;
  const effects = async () => (await ds.query('SELECT event_id FROM test_effect ORDER BY n')).map((r: { event_id: string }) => r.event_id) as string[];

  beforeAll(async () => {
    broker = createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId: 'dlq-spec' });
    ds = await openTestDataSource({ name: 'dlq_replay', entities: messagingEntities, migrations: messagingMigrations });
    await createEffectTable(ds);
    topic = uniqueName('test.dlq');
    await ensureTopics(broker, [
      { name: topic, partitions: 2 },
      { name: dlqTopicOf(topic), partitions: 2 },
    ]);
    runner = new ConsumerRunner({
      broker,
      dataSource: ds,
      groupId: group,
      retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20, multiplier: 2 },
      bindings: [
        {
          name: 'dlq-probe',
          topic,
          handle: async (e, tx) => {
            if (broken && e.key === 'bug') throw new Error('cannot handle this yet');
            await tx.query('INSERT INTO test_effect (event_id, key) VALUES ($1, $2)', [e.id, e.key]);
          },
        },
      ],
    });
    await sendRaw(broker, topic, [
      event('e-ok', 'case-a'),
      event('e-bug-1', 'bug'),
      event('e-bug-2', 'bug'),
      { key: 'case-b', value: Buffer.from('not a cloud event'), headers: { 'content-type': 'text/plain' } },
    ]);
    await runner.start();
    await eventually('three dead letters', async () => (await readDeadLetters(broker, topic)).length === 3, 60_000);
  });

  afterAll(async () => {
    await runner?.stop();
    await ds?.destroy();
  });

  it('lists each dead letter with its failure and the group that gave up, never the payload', async () => {
    const listed = await dlq(['list', '--topic', topic]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`3 dead letters in ${topic}.dlq`);
    expect(listed.stdout).toMatch(new RegExp(`puente\\.test\\.v1\\.E e-bug-1; group ${group.replace(/\./g, '\\.')}, handler dlq-probe; 2 attempt\\(s\\) at \\S+: Error: cannot handle this yet`));
    expect(listed.stdout).toContain('no CloudEvents envelope (not replayable)');
    expect(listed.stdout).not.toContain('payload-');
    const json = (await dlq(['list', '--topic', `${topic}.dlq`, '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { eventId?: string; replayable: boolean });
    expect(json.map((l) => l.eventId ?? null).sort()).toEqual(['e-bug-1', 'e-bug-2', null].sort());
    expect((await dlq(['list', '--topic', topic, '--group', 'some.other.group'])).stdout).toContain('0 dead letters');
  });

  it('replays one event by id, then the rest with --all: each applied exactly once, with the same event id', async () => {
    expect(await effects()).toEqual(['e-ok']);
    broken = false; // the fix is deployed

    const one = await dlq(['replay', '--topic', topic, '--event', 'e-bug-1', '--group', group]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('replayed 1 dead letter');
    await eventually('e-bug-1 applied', async () => (await effects()).includes('e-bug-1'));

    const all = await dlq(['replay', '--topic', topic, '--all']);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('skipped 1 without a CloudEvents envelope');
    expect(all.stdout).toContain('replayed 2 dead letters');
    await eventually('e-bug-2 applied', async () => (await effects()).includes('e-bug-2'));
    // e-bug-1 came back a second time with --all: the inbox recognised it.
    await eventually('the repeat seen', () => runner.counts.duplicate >= 1);
    expect((await effectCounts(ds))).toEqual({ rows: 3, distinct: 3 });

    const replayed = await readTopic(broker, topic, { until: (s) => s.length >= 7 });
    const again = replayed.filter((r) => r.headers.puente_replayed_from);
    expect(again.map((r) => r.headers.ce_id).sort()).toEqual(['e-bug-1', 'e-bug-1', 'e-bug-2']);
    expect(again.every((r) => r.key === 'bug' && !Object.keys(r.headers).some((k) => k.startsWith('dlq_')))).toBe(true);
  });

  it('says which --event it did not find (1), refuses a bad command line (2) and names an unreachable broker or missing topic (3)', async () => {
    const missing = await dlq(['replay', '--topic', topic, '--event', 'no-such-event']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('not among the dead letters');
    expect((await dlq(['replay', '--topic', topic])).code).toBe(2);
    expect((await dlq(['list', '--topic', 'bad topic name'])).code).toBe(2);
    expect((await dlq(['list'])).code).toBe(2);
    const unknown = await dlq(['list', '--topic', uniqueName('test.none')]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('does not exist');
    const down = await dlq(['list', '--topic', topic], { KAFKA_BROKERS: '127.0.0.1:1' });
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('cannot reach Kafka at 127.0.0.1:1');
  });
});
