import { openTestDataSource } from '@puente/testing';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { messagingEntities, messagingMigrations } from '../schema';
import { MessagingMetrics } from './messaging-metrics';

describe('MessagingMetrics (real PostgreSQL)', () => {
  let ds: DataSource;

  beforeAll(async () => {
    ds = await openTestDataSource({ name: 'messaging_metrics', entities: messagingEntities, migrations: messagingMigrations });
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  const value = async (registry: Registry, name: string) => (await registry.getSingleMetric(name)?.get())?.values[0]?.value;

  it('reads the backlog, its oldest age and the set-aside rows from the outbox at scrape time', async () => {
    const registry = new Registry();
    const metrics = new MessagingMetrics(registry, ds);
    expect(await value(registry, 'puente_outbox_pending')).toBe(0);
    expect(await value(registry, 'puente_outbox_oldest_pending_seconds')).toBe(0);

    const insert = (createdAgo: string, published: boolean) =>
      ds.query(
        `INSERT INTO outbox_message (event_id, topic, message_key, event_type, payload, headers, created_at, published_at)
         VALUES (gen_random_uuid(), 't', 'k', 'puente.test.v1.E', '\\x00', '{}', now() - $1::interval, CASE WHEN $2 THEN now() END)`,
        [createdAgo, published],
      );
    await insert('1 hour', true);
    await insert('120 seconds', false);
    await insert('5 seconds', false);
    await ds.query(
      `INSERT INTO outbox_message_failed (id, event_id, topic, message_key, event_type, payload, headers, created_at, last_error)
       VALUES (999999, gen_random_uuid(), 't', 'k', 'puente.test.v1.E', '\\x00', '{}', now() - interval '10 minutes', 'MESSAGE_TOO_LARGE: x')`,
    );

    const text = await registry.metrics();
    expect(text).toContain('puente_outbox_pending 2');
    expect(text).toContain('puente_outbox_failed 1');
    const oldest = (await value(registry, 'puente_outbox_oldest_pending_seconds')) as number;
    expect(oldest).toBeGreaterThanOrEqual(120);
    expect(oldest).toBeLessThan(180);

    metrics.onPublished(3);
    metrics.onConsumed('puente.intake.case', 'applied');
    metrics.onConsumed('puente.intake.case', 'dead-lettered');
    const after = await registry.metrics();
    expect(after).toContain('puente_outbox_published_total 3');
    expect(after).toContain('puente_events_consumed_total{topic="puente.intake.case",outcome="dead-lettered"} 1');
  });
});
