import { Controller, Module } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp, PlatformModule } from '@puente/platform';
import { eventually, uniqueName } from '@puente/testing';
import { DataSource } from 'typeorm';
import type { ConsumedEvent } from '../consumer/consumed-event';
import { OutboxWriter } from '../outbox/outbox-writer';
import { messagingEntities, messagingMigrations } from '../schema';
import type { EventContext } from './event-context';
import { MessagingModule } from './messaging.module';

jest.setTimeout(90_000);

const topic = uniqueName('test.nest');

@Controller()
class CaseCounter {
  @EventPattern(topic, { types: ['puente.test.v1.CaseOpened'] })
  async onCaseOpened(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
    await tx.query('INSERT INTO test_seen (event_id, key, traceparent) VALUES ($1, $2, $3)', [event.id, event.key, event.traceparent]);
  }
}

@Module({
  imports: [
    PlatformModule.forRoot({
      service: 'messaging-spec',
      entities: [...messagingEntities],
      migrations: [...messagingMigrations],
      imports: [MessagingModule.forRoot({ topics: [{ name: topic, partitions: 2 }], relay: { pollIntervalMs: 100 } })],
    }),
  ],
  controllers: [CaseCounter],
})
class TestAppModule {}

describe('MessagingModule in a Nest service (real PostgreSQL and Kafka)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createServiceApp({ service: 'messaging-spec', module: TestAppModule, title: 't', description: 'd', shutdownHooks: false });
    await app.listen(0, '127.0.0.1');
    const ds = app.get(DataSource);
    await ds.query('CREATE TABLE IF NOT EXISTS test_seen (event_id text PRIMARY KEY, key text, traceparent text)');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('relays outbox rows to @EventPattern handlers, once each, and reports the broker in readiness', async () => {
    const ds = app.get(DataSource);
    const writer = app.get(OutboxWriter);
    const ids = await ds.transaction((m) =>
      writer.append(
        m,
        { topic, key: 'case-1', type: 'puente.test.v1.CaseOpened', payload: Buffer.from('a') },
        { topic, key: 'case-2', type: 'puente.test.v1.Other', payload: Buffer.from('b') },
        { topic, key: 'case-3', type: 'puente.test.v1.CaseOpened', payload: Buffer.from('c') },
      ),
    );
    const rows = await eventually('both CaseOpened handled', async () => {
      const r: { event_id: string; key: string; traceparent: string }[] = await ds.query('SELECT * FROM test_seen ORDER BY key');
      return r.length === 2 ? r : null;
    });
    expect(rows.map((r) => [r.event_id, r.key])).toEqual([
      [ids[0], 'case-1'],
      [ids[2], 'case-3'],
    ]);
    expect(rows[0].traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const source = (await ds.query('SELECT headers FROM outbox_message LIMIT 1'))[0].headers.ce_source;
    expect(source).toBe('/puente/gt/messaging-spec');

    const ready = await fetch(`${await app.getUrl()}/health/ready`);
    expect(await ready.json()).toMatchObject({ details: { kafka: { status: 'up' } } });
  });

  it('exposes outbox and consumer metrics (published, pending, failed, consumed by topic and outcome) and sets aside a row Kafka refuses for good', async () => {
    const metric = (text: string, name: string, labels = '') => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const scrape = async () => (await fetch(`${await app.getUrl()}/metrics`)).text();
    const applied = `topic="${topic}",outcome="applied"`;
    const ignored = `topic="${topic}",outcome="ignored"`;
    const text = await eventually('the first test\'s events counted', async () => {
      const t = await scrape();
      return metric(t, 'puente_events_consumed_total', applied) === 2 && metric(t, 'puente_events_consumed_total', ignored) === 1 ? t : null;
    });
    expect(metric(text, 'puente_outbox_published_total')).toBeGreaterThanOrEqual(3);
    expect(metric(text, 'puente_outbox_pending')).toBe(0);
    expect(metric(text, 'puente_outbox_oldest_pending_seconds')).toBe(0);

    // A row Kafka refuses for good (no topic may be named so) is set aside with its reason, not retried forever.
    const ds = app.get(DataSource);
    const [{ id }] = await ds.query(
      `INSERT INTO outbox_message (event_id, topic, message_key, event_type, payload, headers)
       VALUES (gen_random_uuid(), 'not a topic', 'case-9', 'puente.test.v1.Other', '\\x00', '{}') RETURNING id`,
    );
    try {
      const after = await eventually('the refused row set aside', async () => {
        const t = await scrape();
        return metric(t, 'puente_outbox_failed') === 1 ? t : null;
      });
      expect(metric(after, 'puente_outbox_pending')).toBe(0);
      expect(await ds.query('SELECT id FROM outbox_message WHERE id = $1', [id])).toEqual([]);
      const [row] = await ds.query('SELECT failed_at, last_error FROM outbox_message_failed WHERE id = $1', [id]);
      expect(row.failed_at).not.toBeNull();
      expect(row.last_error).toMatch(/^INVALID_TOPIC_EXCEPTION: /);
    } finally {
      await ds.query('DELETE FROM outbox_message_failed WHERE id = $1', [id]);
    }
  });
});
