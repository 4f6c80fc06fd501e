import type { Consumer, EachBatchPayload, IHeaders, KafkaMessage } from 'kafkajs';
import { isDatabaseUnavailable, queryPrepared, sqlStateOf } from '@puente/platform';
import type { DataSource, EntityManager } from 'typeorm';
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
  /** Called for every consumed message with its outcome (metrics). */
  onOutcome?: (topic: string, outcome: Outcome) => void;
  sessionTimeoutMs?: number;
  /** Longest a fetch waits for records when there are none (500 ms; see start()). */
  fetchMaxWaitMs?: number;
}

/** Most events applied in one database transaction. */
const CHUNK_SIZE = 2000;

/** A handler threw: the event may be poison (retries, then DLQ), unlike a database failure. */
class HandlerFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('event handler failed');
  }
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

  get groupId(): string {
    return this.options.groupId;
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
      // A fetch waits this long for records when there are none; leaving the group waits for the
      // fetch in flight. kafkajs's 5 s made every stop (a deploy, each test suite) take 5 s; at
      // 500 ms an idle consumer asks twice a second, nothing for a broker, and records still
      // arrive as soon as they are written (a fetch returns on the first byte).
      maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 500,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 3,
      eachBatch: (p) => this.onBatch(p),
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

  /**
   * Messages of one partition, in order. Runs of up to CHUNK_SIZE messages are applied in one
   * database transaction (one commit instead of one per event); a message whose handler fails
   * takes the slow path alone (retries with backoff, then the DLQ) and the run continues after
   * it. The offset is committed once per batch, after the effects it covers (one broker round
   * trip per batch, not per run: it was a third of a consumer's time); a crash in between
   * redelivers what was applied since, which the inbox recognises.
   */
  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = batch;
    let i = 0;
    let committed = 0;
    const commit = async () => {
      if (i === committed) return;
      committed = i;
      await (this.consumer as Consumer).commitOffsets([{ topic, partition, offset: (BigInt(messages[i - 1].offset) + 1n).toString() }]);
    };
    while (i < messages.length && isRunning() && !isStale()) {
      const chunk = messages.slice(i, i + CHUNK_SIZE);
      const run = await this.applyRun(topic, partition, chunk);
      for (const r of run.results) {
        this.count(topic, r.outcome);
        if (r.event) await this.options.afterEffect?.(r.event, r.outcome === 'applied');
      }
      i += run.results.length;
      if (run.results.length < chunk.length) {
        // The slow path may wait for seconds: what was applied before it is committed first.
        await commit();
        const outcome = await this.process(topic, partition, messages[i], heartbeat, run.failedOnce ? 2 : 1, run.failure);
        this.count(topic, outcome);
        i++;
      }
      resolveOffset(messages[i - 1].offset);
      await heartbeat();
    }
    await commit();
  }

  /**
   * Applies the longest prefix of `chunk` that succeeds at the first attempt, in one transaction:
   * one multi-row inbox insert, then the handlers of the events that were new. Optimistic: if a
   * handler fails, the transaction is rolled back, the events before it are applied again
   * without it, and it is reported (`failedOnce`) for the slow path. Stops before a message that
   * is not a CloudEvent.
   */
  private async applyRun(
    topic: string,
    partition: number,
    chunk: KafkaMessage[],
  ): Promise<{ results: { outcome: Outcome; event?: ConsumedEvent }[]; failedOnce: boolean; failure?: unknown }> {
    const events: ConsumedEvent[] = [];
    for (const message of chunk) {
      const event = this.toEvent(topic, partition, message);
      if (!event) break;
      events.push(event);
    }
    const relevant = events.filter((e) => this.bindingsFor(e).length > 0);
    // Nothing bound (or every event refused by `accepts`): no transaction at all.
    if (relevant.length === 0) return { results: events.map(() => ({ outcome: 'ignored' as const })), failedOnce: false };
    let failedAt = -1;
    // What a single-event handler threw (a batch's failure is not pinned on one event).
    let failure: unknown;
    let results: { outcome: Outcome; event?: ConsumedEvent }[] = [];
    try {
      results = await this.options.dataSource.transaction(async (tx) => {
        const fresh = await this.claimInbox(tx, relevant);
        const out: { outcome: Outcome; event?: ConsumedEvent }[] = [];
        const batched = new Map<EventHandlerBinding, { first: number; events: ConsumedEvent[] }>();
        for (let k = 0; k < events.length; k++) {
          const event = events[k];
          const bindings = this.bindingsFor(event);
          if (bindings.length === 0) {
            out.push({ outcome: 'ignored' });
          } else if (!fresh.delete(event.id)) {
            out.push({ outcome: 'duplicate', event });
          } else {
            try {
              for (const b of bindings) {
                if (b.handleBatch) {
                  const group = batched.get(b) ?? { first: k, events: [] };
                  group.events.push(event);
                  batched.set(b, group);
                } else {
                  await b.handle(event, tx).catch((e: unknown) => {
                    failure = e;
                    throw e;
                  });
                }
              }
            } catch (e) {
              failedAt = k;
              throw new HandlerFailure(e);
            }
            out.push({ outcome: 'applied', event });
          }
        }
        for (const [b, group] of batched) {
          try {
            await (b.handleBatch as NonNullable<EventHandlerBinding['handleBatch']>)(group.events, tx);
          } catch (e) {
            // Which event failed is unknown: take the run again one event at a time from its first.
            failedAt = group.first;
            throw new HandlerFailure(e);
          }
        }
        return out;
      });
    } catch (e) {
      if (!(e instanceof HandlerFailure) || failedAt < 0) throw e;
      const failed = events[failedAt];
      this.logger.warn(`handler failed for ${failed.type} ${failed.id} (attempt 1/${this.retry.maxAttempts}): ${errorSummary(e.cause)}`, 'consumer');
      const before = failedAt > 0 ? await this.applyRun(topic, partition, chunk.slice(0, failedAt)) : { results: [] };
      return { results: before.results, failedOnce: true, failure };
    }
    return { results, failedOnce: false };
  }

  private count(topic: string, outcome: Outcome): void {
    this.counts[outcome]++;
    this.options.onOutcome?.(topic, outcome);
  }

  /** Inserts inbox rows for `events`; returns the ids that were not there yet. */
  private async claimInbox(tx: EntityManager, events: ConsumedEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    // Prepared once per connection: every batch of every consumer runs it.
    const rows = await queryPrepared<{ event_id: string }>(
      tx,
      `INSERT INTO inbox_message (consumer_group, event_id, event_type, topic, partition, kafka_offset)
       SELECT $1, e.id, e.type, $2, $3, e.off
         FROM unnest($4::text[], $5::text[], $6::bigint[]) AS e(id, type, off)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [this.options.groupId, events[0].topic, events[0].partition, events.map((e) => e.id), events.map((e) => e.type), events.map((e) => e.offset)],
    );
    return new Set(rows.map((r) => r.event_id));
  }

  private toEvent(topic: string, partition: number, message: KafkaMessage): ConsumedEvent | null {
    const headers = flattenHeaders(message.headers);
    let a;
    try {
      a = fromHeaders(headers);
    } catch {
      return null;
    }
    return {
      id: a.id,
      type: a.type,
      source: a.source,
      time: a.time,
      traceparent: a.traceparent,
      key: message.key ? message.key.toString() : null,
      topic,
      partition,
      offset: message.offset,
      producedAt: Number(message.timestamp),
      payload: message.value ?? Buffer.alloc(0),
      headers,
    };
  }

  private bindingsFor(event: ConsumedEvent): EventHandlerBinding[] {
    return (this.byTopic.get(event.topic) ?? []).filter((b) => (!b.types || b.types.includes(event.type)) && (!b.accepts || b.accepts(event)));
  }

  /**
   * One message alone: retries with backoff, then the DLQ. `firstFailure`: what its handler threw
   * in the run before, which counts as attempt 1 (a NonRetryableError goes to the DLQ at once).
   */
  private async process(
    topic: string,
    partition: number,
    message: KafkaMessage,
    heartbeat: () => Promise<void>,
    firstAttempt: number,
    firstFailure?: unknown,
  ): Promise<Outcome> {
    const position = { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: flattenHeaders(message.headers) };
    const event = this.toEvent(topic, partition, message);
    if (!event) {
      let reason: Error = new InvalidCloudEventError([]);
      try {
        fromHeaders(position.headers);
      } catch (e) {
        reason = e as Error;
      }
      await this.deadLetter(position, reason, 1, 'envelope');
      return 'dead-lettered';
    }
    const bindings = this.bindingsFor(event);
    if (bindings.length === 0) return 'ignored';
    if (firstFailure instanceof NonRetryableError) {
      await this.deadLetter(position, firstFailure, 1, bindings[0].name);
      return 'dead-lettered';
    }
    for (let attempt = firstAttempt; ; attempt++) {
      if (attempt > 1) {
        await new Promise((r) => setTimeout(r, backoffDelay(this.retry, attempt)));
        await heartbeat().catch(() => undefined);
      }
      try {
        const applied = await this.options.dataSource.transaction((tx) => this.applyIn(tx, event, bindings));
        await this.options.afterEffect?.(event, applied);
        return applied ? 'applied' : 'duplicate';
      } catch (e) {
        // Not the handler (the database itself failed): no DLQ; kafkajs redelivers later.
        if (!(e instanceof HandlerFailure)) throw e;
        const cause = e.cause;
        // The handler failed only because the database went away: an outage, not a poison
        // message. Same as above: the offset stays uncommitted and the event comes back.
        if (isDatabaseUnavailable(cause)) throw cause;
        const retryable = !(cause instanceof NonRetryableError);
        if (this.stopping && retryable && attempt < this.retry.maxAttempts) {
          // Shutting down: leave the offset uncommitted so another member retries it.
          throw cause;
        }
        if (!retryable || attempt >= this.retry.maxAttempts) {
          await this.deadLetter(position, cause as Error, attempt, bindings[0].name);
          return 'dead-lettered';
        }
        this.logger.warn(`handler failed for ${event.type} ${event.id} (attempt ${attempt}/${this.retry.maxAttempts}): ${errorSummary(cause)}`, 'consumer');
      }
    }
  }

  /** Inbox row plus every bound handler's effect, through `tx`. False when already applied. */
  private async applyIn(tx: EntityManager, event: ConsumedEvent, bindings: EventHandlerBinding[]): Promise<boolean> {
    const inserted: unknown[] = await tx.query(
      `INSERT INTO inbox_message (consumer_group, event_id, event_type, topic, partition, kafka_offset)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1`,
      [this.options.groupId, event.id, event.type, event.topic, event.partition, event.offset],
    );
    if (inserted.length === 0) return false;
    for (const b of bindings) {
      try {
        if (b.handleBatch) await b.handleBatch([event], tx);
        else await b.handle(event, tx);
      } catch (e) {
        throw new HandlerFailure(e);
      }
    }
    return true;
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
  // A database error's message can quote the values of the failed statement: its SQLSTATE only.
  const state = sqlStateOf(e);
  if (state) return `${e instanceof Error ? e.name : 'Error'}: database error ${state}`;
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return msg.replace(/\s+/g, ' ').slice(0, 500);
}
