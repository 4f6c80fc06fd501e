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

    const insert = (createdAgo: string, state: 'pending' | 'published' | 'failed') =>
      ds.query(
        `INSERT INTO outbox_message (event_id, topic, message_key, event_type, payload, headers, created_at, published_at, failed_at, last_error)
         VALUES (gen_random_uuid(), 't', 'k', 'puente.test.v1.E', '\\x00', '{}', now() - $1::interval,
                 CASE WHEN $2 = 'published' THEN now() END, CASE WHEN $2 = 'failed' THEN now() END, CASE WHEN $2 = 'failed' THEN 'MESSAGE_TOO_LARGE: x' END)`,
        [createdAgo, state],
      );
    await insert('1 hour', 'published');
    await insert('10 minutes', 'failed');
    await insert('120 seconds', 'pending');
    await insert('5 seconds', 'pending');

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
