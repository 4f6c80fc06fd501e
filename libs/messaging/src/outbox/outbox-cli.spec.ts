import { eventually, openTestDataSource, runTs, uniqueName } from '@puente/testing';
import { ConfigResourceTypes } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createBrokerClient, parseBrokers, type BrokerClient } from '../kafka/kafka-client';
import { ensureTopics } from '../kafka/topic-admin';
import { readTopic } from '../kafka/topic-reader';
import { messagingEntities, messagingMigrations } from '../schema';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox-writer';

jest.setTimeout(120_000);

const SERVICE = 'outbox-cli';

const outbox = (args: string[], env: Record<string, string> = {}) => runTs('tools/outbox.ts', args, env);

describe('tools/outbox.ts: events Kafka refused for good, listed and put back in line (real PostgreSQL and Kafka)', () => {
  let broker: BrokerClient;
  let ds: DataSource;
  let env: Record<string, string>;
  let topic: string;
  const relays: OutboxRelay[] = [];
  const writer = new OutboxWriter('/puente/test/outbox-cli');
  const relay = () => {
    const r = new OutboxRelay({ database: { connectionString: (ds.options as { url: string }).url }, broker, batchSize: 50, pollIntervalMs: 100, leaderRetryMs: 100 });
    relays.push(r);
    r.start();
    return r;
  };
  const big = (fill: number) => Buffer.alloc(2 * 1024 * 1024, fill);

  beforeAll(async () => {
    broker = createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId: 'outbox-cli-spec' });
    ds = await openTestDataSource({ name: 'outbox_cli', entities: messagingEntities, migrations: messagingMigrations });
    env = { OUTBOX_CLI_DATABASE_URL: (ds.options as { url: string }).url };
    topic = uniqueName('test.outbox-cli');
    await ensureTopics(broker, [{ name: topic, partitions: 1 }]);
  });

  afterAll(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await ds?.destroy();
  });

  it('lists nothing while nothing was refused', async () => {
    const run = await outbox(['failed', '--service', SERVICE], env);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^0 events set aside \(service outbox-cli, database \S+\)/);
  });

  it('lists what the relay set aside (ids, type, size, error; never the payload), puts one back once the topic takes it, and it is published with its event id', async () => {
    const [, firstBig, , secondBig] = await ds.transaction((m) =>
      writer.append(
        m,
        { topic, key: 'case-1', type: 'puente.test.v1.Small', payload: Buffer.from('small:0') },
        { topic, key: 'case-1', type: 'puente.test.v1.Large', payload: big(0x41) },
        { topic, key: 'case-1', type: 'puente.test.v1.Small', payload: Buffer.from('small:2') },
        { topic, key: 'case-2', type: 'puente.test.v1.Large', payload: big(0x42) },
      ),
    );
    const first = relay();
    await eventually('both large events set aside', async () => Number((await ds.query('SELECT count(*) AS n FROM outbox_message_failed'))[0].n) === 2, 30_000);
    await first.stop();

    const listed = await outbox(['failed', '--service', SERVICE], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('2 events set aside');
    expect(listed.stdout).toContain(`puente.test.v1.Large on ${topic}, 2097152 bytes, event ${firstBig}`);
    expect(listed.stdout).toMatch(/MESSAGE_TOO_LARGE/);
    expect(listed.stdout).not.toContain('AAAAAAAA');
    const json = await outbox(['failed', '--service', SERVICE, '--json'], env);
    const rows = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; eventId: string; payloadBytes: number });
    expect(rows.map((r) => r.eventId)).toEqual([firstBig, secondBig]);
    expect(rows.every((r) => r.payloadBytes === 2 * 1024 * 1024)).toBe(true);

    // The operator fixes the cause: this topic now takes messages up to 4 MiB.
    const admin = broker.admin();
    await admin.connect();
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'max.message.bytes', value: String(4 * 1024 * 1024) }] }] });
    await admin.disconnect();

    const unknown = await outbox(['requeue', '--service', SERVICE, '--id', rows[0].id, '--id', '999999'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain(`put back in line: 1 event (${rows[0].id})`);
    expect(unknown.stdout).toContain('not set aside, left alone: 999999');
    const back: { id: string; event_id: string; published: boolean }[] = await ds.query(
      'SELECT id::text AS id, event_id::text AS event_id, published_at IS NOT NULL AS published FROM outbox_message WHERE id = $1',
      [rows[0].id],
    );
    expect(back).toEqual([{ id: rows[0].id, event_id: firstBig, published: false }]);

    relay();
    const got = await readTopic(broker, topic, { until: (s) => s.length >= 3 });
    expect(got.map((e) => [e.value.length, e.headers.ce_id])).toEqual([
      [7, expect.any(String)],
      [7, expect.any(String)],
      [2 * 1024 * 1024, firstBig],
    ]);
    await eventually('the requeued row marked sent', async () => Number((await ds.query('SELECT count(*) AS n FROM outbox_message WHERE published_at IS NULL'))[0].n) === 0);

    const all = await outbox(['requeue', '--service', SERVICE, '--all'], env);
    expect(all).toMatchObject({ code: 0 });
    expect(all.stdout).toContain(`put back in line: 1 event (${rows[1].id})`);
    const more = await readTopic(broker, topic, { until: (s) => s.length >= 4 });
    expect(more.map((e) => e.headers.ce_id)).toContain(secondBig);
    expect((await outbox(['failed', '--service', SERVICE], env)).stdout).toContain('0 events set aside');
  });

  it('refuses a bad command line (2) and says which database it cannot read (3)', async () => {
    expect((await outbox(['requeue', '--service', SERVICE], env)).code).toBe(2);
    expect((await outbox(['requeue', '--service', SERVICE, '--all', '--id', '1'], env)).code).toBe(2);
    const badId = await outbox(['requeue', '--service', SERVICE, '--id', '1; DROP TABLE outbox_message'], env);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('--id must be an outbox row id');
    expect((await outbox(['explode', '--service', SERVICE], env)).code).toBe(2);
    expect((await outbox(['failed'], env)).code).toBe(2);
    const unreadable = await outbox(['failed', '--service', SERVICE], { OUTBOX_CLI_DATABASE_URL: 'postgres://puente:secret-pw@127.0.0.1:1/nowhere' });
    expect(unreadable.code).toBe(3);
    expect(unreadable.stderr).toContain('cannot read the outbox of outbox-cli');
    expect(unreadable.stderr).not.toContain('secret-pw');
  });
});
