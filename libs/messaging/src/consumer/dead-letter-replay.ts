import { fromHeaders } from '../kafka/cloudevents';
import { type BrokerClient, createIdempotentProducer } from '../kafka/kafka-client';
import { readWholeTopic, type RecordedEvent } from '../kafka/topic-reader';
import { dlqTopicOf } from './dead-letter';

/** Headers the consumer runner adds when it dead-letters a message (see deadLetter()). */
const DLQ_HEADER_PREFIX = 'dlq_';
/** Where a replayed message came from: `<dlq topic>:<partition>:<offset>`. */
export const REPLAYED_FROM_HEADER = 'puente_replayed_from';

/** One dead letter as an operator sees it: identifiers, the failure, never the payload. */
export interface DeadLetter {
  dlqTopic: string;
  partition: number;
  offset: string;
  /** CloudEvents id and type; absent when the message had no valid envelope. */
  eventId?: string;
  eventType?: string;
  originalTopic: string;
  originalPartition?: number;
  originalOffset?: string;
  consumerGroup?: string;
  handler?: string;
  attempts?: number;
  errorType?: string;
  errorMessage?: string;
  failedAt?: string;
  /** A message without a CloudEvents envelope would only be dead-lettered again. */
  replayable: boolean;
  /** The record as stored (key, value, headers), for replay. */
  record: RecordedEvent;
}

/** `puente.intake.case.v1` or `puente.intake.case.v1.dlq`: the DLQ topic to read. */
export function deadLetterTopicFor(topic: string): string {
  return topic.endsWith('.dlq') ? topic : dlqTopicOf(topic);
}

function describe(record: RecordedEvent, dlqTopic: string): DeadLetter {
  const h = record.headers;
  let eventId: string | undefined;
  let eventType: string | undefined;
  try {
    const attributes = fromHeaders(h);
    eventId = attributes.id;
    eventType = attributes.type;
  } catch {
    // no valid envelope: listed, not replayable
  }
  const originalTopic = h.dlq_original_topic ?? dlqTopic.replace(/\.dlq$/, '');
  return {
    dlqTopic,
    partition: record.partition,
    offset: record.offset,
    eventId,
    eventType,
    originalTopic,
    originalPartition: h.dlq_original_partition !== undefined ? Number(h.dlq_original_partition) : undefined,
    originalOffset: h.dlq_original_offset,
    consumerGroup: h.dlq_consumer_group,
    handler: h.dlq_handler,
    attempts: h.dlq_attempts !== undefined ? Number(h.dlq_attempts) : undefined,
    errorType: h.dlq_error_type,
    errorMessage: h.dlq_error_message,
    failedAt: h.dlq_failed_at,
    replayable: eventId !== undefined,
    record,
  };
}

/** Every dead letter of `topic` (or of the DLQ topic named directly), oldest first per partition. */
export async function readDeadLetters(broker: BrokerClient, topic: string, options: { timeoutMs?: number } = {}): Promise<DeadLetter[]> {
  const dlqTopic = deadLetterTopicFor(topic);
  const records = await readWholeTopic(broker, dlqTopic, { timeoutMs: options.timeoutMs, mustExist: true });
  return records
    .sort((a, b) => a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1))
    .map((r) => describe(r, dlqTopic));
}

/**
 * Publishes dead letters again to their original topic: same key (so the same partition and
 * order per case), same value and CloudEvents headers (same `ce_id`), without the `dlq_*`
 * headers, plus `puente_replayed_from`. Consumers that applied the event already recognise it
 * in their inbox; the group that dead-lettered it has no inbox row for it and applies it now.
 * Unreplayable letters (no envelope) are refused: they would only be dead-lettered again.
 */
export async function replayDeadLetters(broker: BrokerClient, letters: readonly DeadLetter[]): Promise<void> {
  const refused = letters.filter((l) => !l.replayable);
  if (refused.length > 0) throw new Error(`cannot replay a message without a CloudEvents envelope (${refused.map((l) => `${l.dlqTopic}:${l.partition}:${l.offset}`).join(', ')})`);
  if (letters.length === 0) return;
  const byTopic = new Map<string, { key: string | null; value: Buffer; headers: Record<string, string> }[]>();
  for (const l of letters) {
    const headers = Object.fromEntries(Object.entries(l.record.headers).filter(([k]) => !k.startsWith(DLQ_HEADER_PREFIX) && k !== REPLAYED_FROM_HEADER));
    headers[REPLAYED_FROM_HEADER] = `${l.dlqTopic}:${l.partition}:${l.offset}`;
    const list = byTopic.get(l.originalTopic) ?? [];
    list.push({ key: l.record.key, value: l.record.value, headers });
    byTopic.set(l.originalTopic, list);
  }
  const producer = createIdempotentProducer(broker);
  await producer.connect();
  try {
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  } finally {
    await producer.disconnect();
  }
}
