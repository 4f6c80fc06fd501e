import { Client, type ClientConfig, type Notification } from 'pg';
import type { BrokerClient, EventProducer, MessagingLogger } from '../kafka/kafka-client';
import { createIdempotentProducer, permanentRefusal, silentLogger } from '../kafka/kafka-client';
import { OUTBOX_CHANNEL } from './outbox.migration';

export interface OutboxRelayOptions {
  /** Connection to the service's own database (the one holding outbox_message). */
  database: ClientConfig;
  broker: BrokerClient;
  batchSize?: number;
  /** Polling fallback: NOTIFY is only a hint (it is lost while no one listens). */
  pollIntervalMs?: number;
  /** How often a follower tries to become leader. */
  leaderRetryMs?: number;
  /** Published rows older than this are deleted. */
  retentionMs?: number;
  pruneIntervalMs?: number;
  /** Advisory-lock name; one leader per database and name. */
  lockName?: string;
  logger?: MessagingLogger;
  /** Called after each batch is acknowledged by Kafka and marked sent (metrics, tests). */
  onPublished?: (count: number) => void;
  /** Called when Kafka refused rows for good and they were set aside (metrics, tests). */
  onRefused?: (count: number) => void;
  /**
   * Runs after Kafka acknowledged a batch and before the rows are marked sent. Production
   * leaves it unset; crash tests use it to die in exactly that window.
   */
  afterSend?: (count: number) => void | Promise<void>;
}

interface OutboxRow {
  id: string;
  topic: string;
  event_type: string;
  message_key: string;
  payload: Buffer;
  headers: Record<string, string>;
}

const NEXT = `SELECT id, topic, message_key, payload, headers, event_type FROM outbox_message
  WHERE published_at IS NULL ORDER BY id LIMIT $1`;
const MARK_AND_NEXT = `WITH marked AS (UPDATE outbox_message SET published_at = now() WHERE id = ANY($2::bigint[]))
  SELECT id, topic, message_key, payload, headers, event_type FROM outbox_message
   WHERE published_at IS NULL AND id <> ALL($2::bigint[]) ORDER BY id LIMIT $1`;
const MARK = `UPDATE outbox_message SET published_at = now() WHERE id = ANY($1::bigint[])`;

/**
 * Publishes committed outbox rows to Kafka in id order, in batches. Exactly one relay per
 * database publishes at a time: the leader holds a session-level advisory lock on a dedicated
 * connection, which PostgreSQL frees by itself if the process dies. Delivery is at-least-once
 * (a crash between the Kafka ack and the UPDATE resends the batch with the same event ids);
 * consumers' inboxes turn that into exactly-once effects.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly leaderRetryMs: number;
  private readonly retentionMs: number;
  private readonly pruneIntervalMs: number;
  private readonly lockName: string;
  private readonly logger: MessagingLogger;
  private client: Client | null = null;
  private producer: EventProducer | null = null;
  private leader = false;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** A NOTIFY that arrived while a batch was in flight: look again before sleeping. */
  private notified = false;
  private lastPrune = 0;
  private publishedTotal = 0;
  /** Acknowledged by Kafka, not yet marked sent (marked with the next fetch, or before sleeping). */
  private unmarked: OutboxRow[] = [];

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.leaderRetryMs = options.leaderRetryMs ?? 2000;
    this.retentionMs = options.retentionMs ?? 24 * 3600 * 1000;
    this.pruneIntervalMs = options.pruneIntervalMs ?? 60_000;
    this.lockName = options.lockName ?? 'puente.outbox-relay';
    this.logger = options.logger ?? silentLogger;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  get published(): number {
    return this.publishedTotal;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Finishes the batch in flight, releases leadership and disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        if (!this.leader && !(await this.tryLead())) {
          await this.idle(this.leaderRetryMs);
          continue;
        }
        const sent = await this.publishBatch();
        failures = 0;
        if (sent === this.batchSize) continue;
        await this.maybePrune();
        await this.idle(this.pollIntervalMs);
      } catch (e) {
        failures++;
        this.logger.error(`outbox relay: ${(e as Error).message}; retrying`, 'outbox');
        await this.resign();
        await this.idle(Math.min(5000, 200 * 2 ** Math.min(failures, 5)));
      }
    }
    if (this.leader) {
      await this.markSent().catch((e: Error) => this.logger.warn(`outbox relay: could not mark the last batch sent (${e.message}); it will be sent again`, 'outbox'));
    }
    await this.resign();
  }

  private async tryLead(): Promise<boolean> {
    if (!this.client) {
      const client = new Client(this.options.database);
      client.on('error', (e) => {
        // The session (and with it the lock) is gone: stop publishing at once.
        this.logger.warn(`outbox relay lost its database session: ${e.message}`, 'outbox');
        this.leader = false;
        this.client = null;
        this.wake?.();
      });
      client.on('notification', (n: Notification) => {
        if (n.channel !== OUTBOX_CHANNEL) return;
        this.notified = true;
        this.wake?.();
      });
      await client.connect();
      // The relay's writes (rows marked published, old ones pruned) need not wait for their WAL
      // to reach disk: a mark lost in a crash only sends those rows again, which consumers'
      // inboxes absorb (delivery is at-least-once anyway). Measured under load, its commits' WAL
      // syncs were a third of the registrations' own, on the same disk.
      await client.query('SET synchronous_commit = off');
      this.client = client;
    }
    const { rows } = await this.client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
      this.lockName,
    ]);
    if (!rows[0].locked) return false;
    await this.client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    if (!this.producer) {
      this.producer = createIdempotentProducer(this.options.broker);
      await this.producer.connect();
    }
    this.leader = true;
    this.logger.log('outbox relay is leader', 'outbox');
    return true;
  }

  private async publishBatch(): Promise<number> {
    const client = this.requireLeaderClient();
    this.notified = false;
    // A full batch is marked sent in the same round trip that fetches the next one (the CTE's
    // UPDATE runs to completion; the SELECT still sees those rows unmarked, hence the exclusion).
    // Named statements: the relay's session parses and plans each of them once.
    const unmarked = this.unmarked.map((r) => r.id);
    const { rows } = await client.query<OutboxRow>(
      unmarked.length > 0
        ? { name: 'puente_outbox_mark_and_next', text: MARK_AND_NEXT, values: [this.batchSize, unmarked] }
        : { name: 'puente_outbox_next', text: NEXT, values: [this.batchSize] },
    );
    this.afterMarked();
    if (rows.length === 0) return 0;
    let sent = rows;
    try {
      await this.send(rows);
    } catch (error) {
      if (!permanentRefusal(error)) throw error;
      sent = await this.sendOneByOne(rows);
    }
    await this.options.afterSend?.(sent.length);
    this.unmarked = sent;
    // Anything short of a full batch means the relay is about to sleep: mark now.
    if (rows.length < this.batchSize) await this.markSent();
    return rows.length;
  }

  /** Marks the rows Kafka acknowledged last (if any) as sent. */
  private async markSent(): Promise<void> {
    if (this.unmarked.length === 0) return;
    // Still leader? If the session died mid-send, the next leader resends; never mark here.
    await this.requireLeaderClient().query({ name: 'puente_outbox_mark', text: MARK, values: [this.unmarked.map((r) => r.id)] });
    this.afterMarked();
  }

  private afterMarked(): void {
    const count = this.unmarked.length;
    if (count === 0) return;
    this.unmarked = [];
    this.publishedTotal += count;
    this.options.onPublished?.(count);
  }

  private async send(rows: OutboxRow[]): Promise<void> {
    const byTopic = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>();
    for (const r of rows) {
      let list = byTopic.get(r.topic);
      if (!list) byTopic.set(r.topic, (list = []));
      list.push({ key: r.message_key, value: r.payload, headers: r.headers });
    }
    await (this.producer as EventProducer).sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  /**
   * Kafka refused something in the batch for good: send the rows one at a time, in order, and
   * move those it refuses to outbox_message_failed with the reason, so one bad row does not hold
   * back every row after it. Any other error stops here as usual (after marking what was sent).
   */
  private async sendOneByOne(rows: OutboxRow[]): Promise<OutboxRow[]> {
    const sent: OutboxRow[] = [];
    for (const row of rows) {
      try {
        await this.send([row]);
        sent.push(row);
      } catch (error) {
        const refusal = permanentRefusal(error);
        if (!refusal) {
          this.unmarked = sent;
          await this.markSent();
          throw error;
        }
        const reason = `${refusal}: ${(error as Error).message}`.slice(0, 500);
        await this.requireLeaderClient().query(
          `WITH moved AS (DELETE FROM outbox_message WHERE id = $1 RETURNING *)
           INSERT INTO outbox_message_failed (id, event_id, topic, message_key, event_type, payload, headers, created_at, last_error)
           SELECT id, event_id, topic, message_key, event_type, payload, headers, created_at, $2 FROM moved`,
          [row.id, reason],
        );
        // Ids, topic and type only: the payload never goes to a log.
        this.logger.error(`outbox relay: Kafka refused event row ${row.id} (${row.event_type} on ${row.topic}) for good: ${reason}; set aside`, 'outbox');
        this.options.onRefused?.(1);
      }
    }
    return sent;
  }

  private async maybePrune(): Promise<void> {
    if (Date.now() - this.lastPrune < this.pruneIntervalMs) return;
    this.lastPrune = Date.now();
    const { rowCount } = await this.requireLeaderClient().query(
      `DELETE FROM outbox_message WHERE id IN (
         SELECT id FROM outbox_message
          WHERE published_at IS NOT NULL AND published_at < now() - ($1::bigint * interval '1 millisecond')
          LIMIT 10000)`,
      [this.retentionMs],
    );
    if (rowCount) this.logger.log(`outbox relay pruned ${rowCount} published rows`, 'outbox');
  }

  private requireLeaderClient(): Client {
    if (!this.leader || !this.client) throw new Error('leadership lost');
    return this.client;
  }

  private idle(ms: number): Promise<void> {
    if (this.stopping || this.notified) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private async resign(): Promise<void> {
    const client = this.client;
    const producer = this.producer;
    this.leader = false;
    this.client = null;
    this.producer = null;
    // Rows acknowledged but not marked go out again from the next leader (same event ids).
    this.unmarked = [];
    // Closing the session releases the advisory lock.
    if (client) await client.end().catch(() => undefined);
    if (producer) await producer.disconnect().catch(() => undefined);
  }
}

