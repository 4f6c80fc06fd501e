import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReceiveOutcome } from './exchange-receiver';
import { DEFAULT_UNACKNOWLEDGED_AFTER_SECONDS, type Queryable, unacknowledgedByPeer } from './receipts';

/**
 * The border on /metrics: envelopes received by outcome and refusal reason, and envelopes sent
 * that no receipt answered within the threshold (per peer; read from the database at scrape time).
 */
export class FederationMetrics {
  private readonly received: Counter<'sender' | 'outcome' | 'reason'>;

  constructor(registry: Registry, db: Queryable, unacknowledgedAfterSeconds = DEFAULT_UNACKNOWLEDGED_AFTER_SECONDS) {
    this.received = new Counter({
      name: 'puente_exchange_received_total',
      help: 'Envelopes received from other nodes, by sender, outcome (applied, refused) and refusal reason',
      labelNames: ['sender', 'outcome', 'reason'] as const,
      registers: [registry],
    });
    new Gauge({
      name: 'puente_exchange_unacknowledged',
      help: `Envelopes sent to each node without a receipt after ${unacknowledgedAfterSeconds} s (MirrorMaker, the link or the peer is stuck)`,
      labelNames: ['peer'] as const,
      registers: [registry],
      async collect() {
        try {
          const counts = await unacknowledgedByPeer(db, unacknowledgedAfterSeconds);
          this.reset();
          for (const [peer, n] of counts) this.set({ peer }, n);
        } catch {
          // Database unavailable: /health/ready says so; keep the last values.
        }
      },
    });
  }

  record(result: ReceiveOutcome): void {
    const sender = result.sender ?? 'unknown';
    if (result.outcome === 'applied') this.received.inc({ sender, outcome: 'applied', reason: '' });
    else this.received.inc({ sender, outcome: 'refused', reason: result.reason });
  }
}
