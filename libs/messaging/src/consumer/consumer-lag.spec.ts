import { uniqueName } from '@puente/testing';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { toHeaders } from '../kafka/cloudevents';
import { createBrokerClient, parseBrokers, type BrokerClient } from '../kafka/kafka-client';
import { ensureTopics } from '../kafka/topic-admin';
import { sendRaw } from '../kafka/topic-reader';
import { MessagingMetrics } from '../nest/messaging-metrics';
import { ConsumerLag } from './consumer-lag';

jest.setTimeout(60_000);

describe('consumer lag from the broker (real Kafka)', () => {
  let broker: BrokerClient;
  const open: ConsumerLag[] = [];

  beforeAll(() => {
    broker = createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId: 'lag-spec' });
  });

  afterAll(async () => {
    await Promise.all(open.map((l) => l.close()));
  });

  async function topicWith(counts: number[]): Promise<string> {
    const topic = uniqueName('test.lag');
    await ensureTopics(broker, [{ name: topic, partitions: counts.length }]);
    for (const [partition, n] of counts.entries()) {
      if (n === 0) continue;
      await sendRaw(
        broker,
        topic,
        Array.from({ length: n }, (_, i) => ({
          key: `case-${partition}-${i}`,
          value: Buffer.from('x'),
          partition,
          headers: toHeaders({ id: `${topic}-${partition}-${i}`, type: 'puente.test.v1.E', source: '/puente/test/lag', time: new Date().toISOString() }),
        })),
      );
    }
    return topic;
  }

  it('counts everything for a group that committed nothing, and end minus committed per partition otherwise', async () => {
    const topic = await topicWith([5, 3]);
    const fresh = new ConsumerLag(broker, uniqueName('g.lag.fresh'), [topic]);
    open.push(fresh);
    expect(await fresh.read()).toEqual(new Map([[topic, 8]]));

    const group = uniqueName('g.lag.committed');
    const admin = broker.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '2' }, { partition: 1, offset: '3' }] });
    await admin.disconnect();
    const behind = new ConsumerLag(broker, group, [topic]);
    open.push(behind);
    expect(await behind.read()).toEqual(new Map([[topic, 3]])); // 5 - 2 on partition 0, 3 - 3 on partition 1
  });

  it('is the puente_consumer_lag gauge, by topic, and a broker that does not answer keeps the last value', async () => {
    const topic = await topicWith([4]);
    const registry = new Registry();
    const metrics = new MessagingMetrics(registry, { query: async () => [{ pending: 0, oldest: 0, failed: 0 }] } as unknown as DataSource);
    expect(await registry.metrics()).not.toMatch(/^puente_consumer_lag\{/m); // no consumers, no series
    const lag = new ConsumerLag(broker, uniqueName('g.lag.gauge'), [topic]);
    open.push(lag);
    metrics.watchLag(lag);
    expect(await registry.metrics()).toMatch(new RegExp(`^puente_consumer_lag\\{topic="${topic.replace(/\./g, '\\.')}"\\} 4$`, 'm'));

    const unreachable = createBrokerClient({ brokers: ['127.0.0.1:1'], clientId: 'lag-spec-down' });
    const down = new ConsumerLag(unreachable, 'g.none', [topic], 500);
    open.push(down);
    await expect(down.read()).rejects.toThrow();
    metrics.watchLag(down);
    expect(await registry.metrics()).toMatch(new RegExp(`^puente_consumer_lag\\{topic="${topic.replace(/\./g, '\\.')}"\\} 4$`, 'm'));
  });
});
