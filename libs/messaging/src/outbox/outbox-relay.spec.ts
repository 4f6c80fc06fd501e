import { eventually, openTestDataSource, uniqueName } from '@puente/testing';
import type { DataSource } from 'typeorm';
import { createBrokerClient, parseBrokers, type BrokerClient } from '../kafka/kafka-client';
import { ensureTopics } from '../kafka/topic-admin';
import { readTopic } from '../kafka/topic-reader';
import { messagingEntities, messagingMigrations } from '../schema';
import { OutboxOutsideTransactionError, OutboxWriter } from './outbox-writer';
import { OutboxRelay } from './outbox-relay';

jest.setTimeout(120_000);

const writer = new OutboxWriter('/puente/test/outbox-spec');
let broker: BrokerClient;
const open: { ds: DataSource[]; relays: OutboxRelay[] } = { ds: [], relays: [] };

beforeAll(() => {
  broker = createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId: 'outbox-spec' });
});

afterEach(async () => {
  await Promise.all(open.relays.splice(0).map((r) => r.stop()));
  await Promise.all(open.ds.splice(0).map((d) => d.destroy()));
});

async function setup(name: string, partitions = 6) {
  const ds = await openTestDataSource({ name, entities: messagingEntities, migrations: messagingMigrations });
  open.ds.push(ds);
  const topic = uniqueName('test.outbox');
  await ensureTopics(broker, [{ name: topic, partitions }]);
  return { ds, topic, url: (ds.options as { url: string }).url };
}

function relay(url: string, extra: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) {
  const r = new OutboxRelay({ database: { connectionString: url }, broker, batchSize: 50, pollIntervalMs: 100, leaderRetryMs: 100, ...extra });
  open.relays.push(r);
  return r;
}

const unpublished = async (ds: DataSource) =>
  Number((await ds.query('SELECT count(*) AS n FROM outbox_message WHERE published_at IS NULL'))[0].n);

describe('transactional outbox and relay (real PostgreSQL and Kafka)', () => {
  it('publishes committed rows in order per key, with CloudEvents headers', async () => {
    const { ds, topic, url } = await setup('outbox_order');
    const keys = Array.from({ length: 10 }, (_, i) => `case-${i}`);
    const next = new Map(keys.map((k) => [k, 0]));
    for (let t = 0; t < 20; t++) {
      await ds.transaction(async (m) => {
        const events = Array.from({ length: 15 }, (_, i) => {
          const key = keys[(t * 7 + i * 3) % keys.length];
          const seq = next.get(key) as number;
          next.set(key, seq + 1);
          return { topic, key, type: 'puente.test.v1.Numbered', payload: Buffer.from(`${key}:${seq}`), traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
        });
        await writer.append(m, ...events);
      });
    }
    relay(url).start();
    const got = await readTopic(broker, topic, { until: (s) => s.length >= 300 });
    expect(got).toHaveLength(300);
    for (const key of keys) {
      const seqs = got.filter((e) => e.key === key).map((e) => Number(e.value.toString().split(':')[1]));
      expect(seqs).toEqual(Array.from({ length: next.get(key) as number }, (_, i) => i));
      expect(new Set(got.filter((e) => e.key === key).map((e) => e.partition)).size).toBe(1);
    }
    const h = got[0].headers;
    expect(h).toMatchObject({ ce_specversion: '1.0', ce_type: 'puente.test.v1.Numbered', ce_source: '/puente/test/outbox-spec', 'content-type': 'application/protobuf' });
    expect(h.ce_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(h.ce_time).getTime()).not.toBeNaN();
    // the trace continues: same trace id, new span
    expect(h.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(h.traceparent).not.toContain('b7ad6b7169203331');
    await eventually('all rows marked sent', async () => (await unpublished(ds)) === 0);
  });

  it('publishes nothing from a rolled-back transaction', async () => {
    const { ds, topic, url } = await setup('outbox_rollback');
    await expect(
      ds.transaction(async (m) => {
        await writer.append(m, { topic, key: 'case-1', type: 'puente.test.v1.Lost', payload: Buffer.from('rolled back') });
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    const [marker] = await ds.transaction((m) => writer.append(m, { topic, key: 'case-1', type: 'puente.test.v1.Kept', payload: Buffer.from('kept') }));
    relay(url).start();
    // No waiting for stragglers: both records have key case-1, so one partition in outbox order,
    // and anything published from the rolled-back write would be read before the marker.
    const got = await readTopic(broker, topic, { until: (s) => s.some((e) => e.headers.ce_id === marker) });
    expect(got.map((e) => e.headers.ce_type)).toEqual(['puente.test.v1.Kept']);
    expect(Number((await ds.query('SELECT count(*) AS n FROM outbox_message'))[0].n)).toBe(1);
  });

  it('refuses to append outside a transaction', async () => {
    const { ds, topic } = await setup('outbox_notx', 1);
    await expect(writer.append(ds.manager, { topic, key: 'k', type: 't', payload: Buffer.from('x') })).rejects.toBeInstanceOf(
      OutboxOutsideTransactionError,
    );
  });

  it('lets only one of two concurrent relays publish, and fails over when the leader stops', async () => {
    const { ds, topic, url } = await setup('outbox_two_relays', 3);
    const a = relay(url);
    const b = relay(url);
    a.start();
    b.start();
    await eventually('a leader', () => a.isLeader || b.isLeader);
    for (let t = 0; t < 8; t++) {
      await ds.transaction((m) =>
        writer.append(m, ...Array.from({ length: 50 }, (_, i) => ({ topic, key: `case-${i % 7}`, type: 'puente.test.v1.E', payload: Buffer.from(`${t}.${i}`) }))),
      );
    }
    await eventually('400 published', async () => (await unpublished(ds)) === 0 && a.published + b.published === 400);
    expect([a.published, b.published].sort((x, y) => x - y)).toEqual([0, 400]);
    expect(a.isLeader && b.isLeader).toBe(false);

    const [leader, follower] = a.published ? [a, b] : [b, a];
    await leader.stop();
    await eventually('follower takes over', () => follower.isLeader, 10_000);
    await ds.transaction((m) =>
      writer.append(m, ...Array.from({ length: 100 }, (_, i) => ({ topic, key: `case-${i % 7}`, type: 'puente.test.v1.E', payload: Buffer.from(`late.${i}`) }))),
    );
    await eventually('follower published the rest', async () => (await unpublished(ds)) === 0);
    expect(follower.published).toBe(100);
    const got = await readTopic(broker, topic, { until: (s) => s.length >= 500 });
    expect(new Set(got.map((e) => e.headers.ce_id)).size).toBe(500);
  });

  it('moves a row Kafka refuses for good (too large) aside and keeps publishing the rows after it, in order', async () => {
    const { ds, topic, url } = await setup('outbox_refused', 1);
    const refused: number[] = [];
    const event = (i: number, payload = Buffer.from(`small:${i}`)) => ({ topic, key: 'case-1', type: 'puente.test.v1.Numbered', payload });
    await ds.transaction((m) => writer.append(m, event(0), event(1), event(2, Buffer.alloc(2 * 1024 * 1024, 1)), event(3), event(4)));
    relay(url, { onRefused: (n) => refused.push(n) }).start();
    const got = await readTopic(broker, topic, { until: (s) => s.length >= 4 });
    expect(got.map((e) => e.value.toString())).toEqual(['small:0', 'small:1', 'small:3', 'small:4']);
    // The relay marks rows sent after Kafka acknowledges them, so a consumer can see them first.
    await eventually('the good rows marked sent', async () => (await unpublished(ds)) === 0);
    const rows: { value: string; published: boolean }[] = await ds.query(
      `SELECT convert_from(substring(payload from 1 for 10), 'UTF8') AS value, published_at IS NOT NULL AS published FROM outbox_message ORDER BY id`,
    );
    expect(rows).toEqual(['small:0', 'small:1', 'small:3', 'small:4'].map((value) => ({ value, published: true })));
    const failed: { event_type: string; size: number; last_error: string }[] = await ds.query(
      'SELECT event_type, length(payload) AS size, last_error FROM outbox_message_failed',
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ event_type: 'puente.test.v1.Numbered', size: 2 * 1024 * 1024 });
    expect(failed[0].last_error).toMatch(/^MESSAGE_TOO_LARGE: /);
    expect(refused).toEqual([1]);
    // Later rows flow as usual; the set-aside row is neither retried nor pruned.
    await ds.transaction((m) => writer.append(m, event(5)));
    const more = await readTopic(broker, topic, { until: (s) => s.length >= 5 });
    expect(more.map((e) => e.value.toString())).toContain('small:5');
    await eventually('the new row marked sent', async () => (await unpublished(ds)) === 0);
    expect(Number((await ds.query('SELECT count(*) AS n FROM outbox_message_failed'))[0].n)).toBe(1);
  });

  it('prunes published rows older than the retention', async () => {
    const { ds, topic, url } = await setup('outbox_prune', 1);
    await ds.transaction((m) => writer.append(m, ...Array.from({ length: 5 }, (_, i) => ({ topic, key: 'k', type: 't', payload: Buffer.from(String(i)) }))));
    await ds.query(`UPDATE outbox_message SET published_at = now() - interval '2 days' WHERE id IN (SELECT id FROM outbox_message ORDER BY id LIMIT 3)`);
    relay(url, { retentionMs: 24 * 3600 * 1000, pruneIntervalMs: 0 }).start();
    await eventually('old rows pruned, new ones published', async () => {
      const rows: { published: boolean }[] = await ds.query('SELECT published_at IS NOT NULL AS published FROM outbox_message');
      return rows.length === 2 && rows.every((r) => r.published);
    });
  });
});
