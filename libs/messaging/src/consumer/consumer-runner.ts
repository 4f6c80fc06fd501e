import type { Consumer, EachMessagePayload, IHeaders } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { fromHeaders, InvalidCloudEventError } from '../kafka/cloudevents';
import type { BrokerClient, EventProducer, MessagingLogger } from '../kafka/kafka-client';
import { createIdempotentProducer, silentLogger } from '../kafka/kafka-client';
import { dlqTopicOf } from './dead-letter';
import type { ConsumedEvent, EventHandlerBinding } from './consumed-event';
import { backoffDelay, DEFAULT_RETRY_POLICY, NonRetryableError, type RetryPolicy } from './retry-policy';

export interface ConsumerRunnerOptions {
  broker: BrokerClient;
  dataSource: DataSource;
  groupId: string;
  bindings: readonly EventHandlerBinding[];
  retry?: RetryPolicy;
  /** Partitions processed in parallel; order is kept within each partition. */
  partitionsConcurrently?: number;
  logger?: MessagingLogger;
  /**
   * Runs after the effect committed and before the offset is committed. Production leaves it
   * unset; crash tests use it to die in exactly that window.
   */
  afterEffect?: (event: ConsumedEvent, applied: boolean) => void | Promise<void>;
  sessionTimeoutMs?: number;
}

export type Outcome = 'applied' | 'duplicate' | 'ignored' | 'dead-lettered';

/**
 * Consumes the bound topics in one consumer group. Each event's effect and its inbox row share
 * one database transaction; the offset is committed only after that transaction, so a crash
 * redelivers and the inbox skips what was already applied. A handler that keeps failing is
 * retried with backoff, then the message goes to `<topic>.dlq` with the error in its headers
 * and the partition moves on.
 */
export class ConsumerRunner {
  private consumer: Consumer | null = null;
  private dlqProducer: EventProducer | null = null;
  private readonly retry: RetryPolicy;
  private readonly logger: MessagingLogger;
  private readonly byTopic = new Map<string, EventHandlerBinding[]>();
  private stopping = false;
  readonly counts: Record<Outcome, number> = { applied: 0, duplicate: 0, ignored: 0, 'dead-lettered': 0 };

  constructor(private readonly options: ConsumerRunnerOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.logger = options.logger ?? silentLogger;
    for (const b of options.bindings) {
      const list = this.byTopic.get(b.topic) ?? [];
      list.push(b);
      this.byTopic.set(b.topic, list);
    }
  }

  get topics(): string[] {
    return [...this.byTopic.keys()];
  }

  async start(): Promise<void> {
    if (this.consumer || this.byTopic.size === 0) return;
    this.stopping = false;
    const { broker, groupId } = this.options;
    this.dlqProducer = createIdempotentProducer(broker);
    await this.dlqProducer.connect();
    const consumer = broker.consumer({
      groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 3,
      eachMessage: (p) => this.onMessage(p),
    });
  }

  /** Lets the message in flight finish (effect and offset), then leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    const consumer = this.consumer;
    const producer = this.dlqProducer;
    this.consumer = null;
    this.dlqProducer = null;
    if (consumer) await consumer.disconnect().catch(() => undefined);
    if (producer) await producer.disconnect().catch(() => undefined);
  }

  private async onMessage({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const outcome = await this.process(topic, partition, message.offset, message.key, message.value, message.headers, heartbeat);
    this.counts[outcome]++;
    await (this.consumer as Consumer).commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
  }

  private async process(
    topic: string,
    partition: number,
    offset: string,
    key: Buffer | null,
    value: Buffer | null,
    rawHeaders: IHeaders | undefined,
    heartbeat: () => Promise<void>,
  ): Promise<Outcome> {
    const headers = flattenHeaders(rawHeaders);
    let event: ConsumedEvent;
    try {
      const a = fromHeaders(headers);
      event = {
        id: a.id,
        type: a.type,
        source: a.source,
        time: a.time,
        traceparent: a.traceparent,
        key: key ? key.toString() : null,
        topic,
        partition,
        offset,
        payload: value ?? Buffer.alloc(0),
        headers,
      };
    } catch (e) {
      const position = { topic, partition, offset, key, value, headers };
      await this.deadLetter(position, e as Error, 1, 'envelope');
      return 'dead-lettered';
    }
    const bindings = (this.byTopic.get(topic) ?? []).filter((b) => !b.types || b.types.includes(event.type));
    if (bindings.length === 0) return 'ignored';

    for (let attempt = 1; ; attempt++) {
      try {
        const applied = await this.applyOnce(event, bindings);
        await this.options.afterEffect?.(event, applied);
        return applied ? 'applied' : 'duplicate';
      } catch (e) {
        const retryable = !(e instanceof NonRetryableError);
        if (!retryable || attempt >= this.retry.maxAttempts || this.stopping) {
          if (this.stopping && retryable && attempt < this.retry.maxAttempts) {
            // Shutting down: leave the offset uncommitted so another member retries it.
            throw e;
          }
          await this.deadLetter({ topic, partition, offset, key, value, headers }, e as Error, attempt, bindings[0].name);
          return 'dead-lettered';
        }
        this.logger.warn(
          `handler failed for ${event.type} ${event.id} (attempt ${attempt}/${this.retry.maxAttempts}): ${errorSummary(e)}`,
          'consumer',
        );
        await new Promise((r) => setTimeout(r, backoffDelay(this.retry, attempt + 1)));
        await heartbeat().catch(() => undefined);
      }
    }
  }

  private async applyOnce(event: ConsumedEvent, bindings: EventHandlerBinding[]): Promise<boolean> {
    return this.options.dataSource.transaction(async (tx) => {
      const inserted: unknown[] = await tx.query(
        `INSERT INTO inbox_message (consumer_group, event_id, event_type, topic, partition, kafka_offset)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1`,
        [this.options.groupId, event.id, event.type, event.topic, event.partition, event.offset],
      );
      if (inserted.length === 0) return false;
      for (const b of bindings) await b.handle(event, tx);
      return true;
    });
  }

  private async deadLetter(
    at: { topic: string; partition: number; offset: string; key: Buffer | null; value: Buffer | null; headers: Record<string, string> },
    error: Error,
    attempts: number,
    handler: string,
  ): Promise<void> {
    this.logger.error(
      `dead-lettering ${at.topic}[${at.partition}]@${at.offset} after ${attempts} attempt(s): ${errorSummary(error)}`,
      'consumer',
    );
    // If this send fails, the error propagates, the offset stays uncommitted and the message is
    // consumed again: nothing is dropped.
    await (this.dlqProducer as EventProducer).send({
      topic: dlqTopicOf(at.topic),
      acks: -1,
      messages: [
        {
          key: at.key,
          value: at.value,
          headers: {
            ...at.headers,
            dlq_original_topic: at.topic,
            dlq_original_partition: String(at.partition),
            dlq_original_offset: at.offset,
            dlq_consumer_group: this.options.groupId,
            dlq_handler: handler,
            dlq_attempts: String(attempts),
            dlq_error_type: error instanceof InvalidCloudEventError ? 'InvalidCloudEvent' : error.name || 'Error',
            dlq_error_message: errorSummary(error),
            dlq_failed_at: new Date().toISOString(),
          },
        },
      ],
    });
  }
}

function flattenHeaders(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
}

/** Error text for logs and DLQ headers: bounded, single line. */
function errorSummary(e: unknown): string {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return msg.replace(/\s+/g, ' ').slice(0, 500);
}
