import { Counter, Gauge, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { ConsumerLag } from '../consumer/consumer-lag';
import type { Outcome } from '../consumer/consumer-runner';

/**
 * What an operator watches to know events flow: how many events the outbox relay published,
 * how many wait (and since when; a growing age means the broker or the relay is stuck), and how
 * many consumed events were applied, recognised as duplicates, ignored or dead-lettered.
 */
export class MessagingMetrics {
  private readonly published: Counter;
  private readonly consumed: Counter<'topic' | 'outcome'>;
  private lag: ConsumerLag | null = null;

  constructor(registry: Registry, dataSource: DataSource) {
    this.published = new Counter({
      name: 'puente_outbox_published_total',
      help: 'Events published to Kafka by this instance from the outbox',
      registers: [registry],
    });
    this.consumed = new Counter({
      name: 'puente_events_consumed_total',
      help: 'Events consumed by this instance, by topic and outcome (applied, duplicate, ignored, dead-lettered)',
      labelNames: ['topic', 'outcome'] as const,
      registers: [registry],
    });
    // Read at scrape time from the service's database (shared by all instances, so one value).
    const backlog = { pending: 0, oldestSeconds: 0, failed: 0 };
    // Both gauges are collected concurrently in one scrape: they share one query.
    let inflight: Promise<void> | null = null;
    const refresh = () =>
      (inflight ??= read().finally(() => {
        inflight = null;
      }));
    const read = async () => {
      try {
        // Both outbox_message reads use its partial index on unpublished rows (the oldest has the lowest id).
        const [row] = (await dataSource.query(
          `SELECT (SELECT count(*) FROM outbox_message WHERE published_at IS NULL)::int AS pending,
                  coalesce((SELECT extract(epoch FROM now() - created_at) FROM outbox_message
                             WHERE published_at IS NULL ORDER BY id LIMIT 1), 0)::float8 AS oldest,
                  (SELECT count(*) FROM outbox_message_failed)::int AS failed`,
        )) as { pending: number; oldest: number; failed: number }[];
        backlog.pending = row.pending;
        backlog.oldestSeconds = Math.max(0, row.oldest);
        backlog.failed = row.failed;
      } catch {
        // Database unavailable: /health/ready says so; keep the last values rather than fail the scrape.
      }
    };
    // The three outbox gauges read one shared snapshot of the backlog at scrape time.
    const outboxGauges: [name: string, help: string, value: () => number][] = [
      ['puente_outbox_pending', 'Outbox events committed and not yet published', () => backlog.pending],
      ['puente_outbox_oldest_pending_seconds', 'Age of the oldest unpublished outbox event (0 when none)', () => backlog.oldestSeconds],
      ['puente_outbox_failed', 'Outbox events Kafka refused for good (too large, malformed, invalid topic), set aside with their reason', () => backlog.failed],
    ];
    for (const [name, help, value] of outboxGauges) {
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          await refresh();
          this.set(value());
        },
      });
    }
    const lagOf = () => this.lag;
    new Gauge({
      name: 'puente_consumer_lag',
      help: "Events on each consumed topic not yet processed by this service's consumer group (from the broker: grows while the group is stuck or down)",
      labelNames: ['topic'] as const,
      registers: [registry],
      async collect() {
        const source = lagOf();
        if (!source) return;
        try {
          const lag = await source.read();
          this.reset();
          for (const [topic, value] of lag) this.set({ topic }, value);
        } catch {
          // Broker unreachable: /health/ready says so; keep the last values rather than fail the scrape.
        }
      },
    });
  }

  /** The consumer group whose lag `puente_consumer_lag` reports (set once consumers run). */
  watchLag(lag: ConsumerLag | null): void {
    this.lag = lag;
  }

  onPublished(count: number): void {
    this.published.inc(count);
  }

  onConsumed(topic: string, outcome: Outcome): void {
    this.consumed.inc({ topic, outcome });
  }
}
