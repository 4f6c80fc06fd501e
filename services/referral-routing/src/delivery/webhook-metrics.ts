import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@puente/platform';
import { Counter, Gauge, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';

export type AttemptOutcome = 'delivered' | 'retry' | 'failed';

/**
 * Webhook delivery on /metrics: attempts by outcome (this instance), and the delivery outbox as it
 * stands (read at scrape time, one value for all instances): pending deliveries, failed ones and
 * how long the oldest pending one has waited. Alert on failed growing or the oldest pending aging.
 */
@Injectable()
export class WebhookMetrics {
  private readonly attempts: Counter<'outcome'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry, dataSource: DataSource) {
    this.attempts = new Counter({
      name: 'puente_webhook_attempts_total',
      help: 'Webhook delivery attempts to partners by this instance, by outcome (delivered, retry, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    const outbox = { pending: 0, failed: 0, oldest: 0 };
    let inflight: Promise<void> | null = null;
    const refresh = () =>
      (inflight ??= dataSource
        .query(
          // Each part reads a partial index (pending, failed), never the delivered history.
          `SELECT (SELECT count(*) FROM referral_delivery WHERE status = 'pending')::int AS pending,
                  (SELECT count(*) FROM referral_delivery WHERE status = 'failed')::int AS failed,
                  coalesce((SELECT extract(epoch FROM now() - min(created_at)) FROM referral_delivery WHERE status = 'pending'), 0)::float8 AS oldest`,
        )
        .then(([row]: { pending: number; failed: number; oldest: number }[]) => {
          Object.assign(outbox, row);
        })
        // Database unavailable: /health/ready says so; keep the last values rather than fail the scrape.
        .catch(() => undefined)
        .finally(() => {
          inflight = null;
        }));
    new Gauge({
      name: 'puente_webhook_deliveries',
      help: 'Webhook deliveries not delivered, by status (pending: waiting or being retried; failed: gave up)',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        await refresh();
        this.set({ status: 'pending' }, outbox.pending);
        this.set({ status: 'failed' }, outbox.failed);
      },
    });
    new Gauge({
      name: 'puente_webhook_oldest_pending_seconds',
      help: 'Age of the oldest webhook delivery not yet delivered',
      registers: [registry],
      async collect() {
        await refresh();
        this.set(Math.max(0, outbox.oldest));
      },
    });
  }

  attempted(outcome: AttemptOutcome): void {
    this.attempts.inc({ outcome });
  }
}
