import { randomUUID } from 'node:crypto';
import { brokerRefusalType, createIdempotentProducer, type BrokerClient } from './kafka-client';

export interface RecordedEvent {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning in a throwaway consumer group until `until` says enough
 * (or the time runs out). For tests, tools and rebuilding projections from a topic.
 * `forgetGroup` deletes the throwaway group afterwards (tools; tests skip the extra round trip).
 */
export async function readTopic(
  broker: BrokerClient,
  topic: string,
  { until, timeoutMs = 30_000, forgetGroup = false }: { until: (seen: RecordedEvent[]) => boolean; timeoutMs?: number; forgetGroup?: boolean },
): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  const groupId = `puente.reader.${randomUUID()}`;
  // Short fetch waits: the read ends (and disconnects, which waits for the fetch in flight) soon after `until` is satisfied.
  const consumer = broker.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`readTopic(${topic}): condition not met within ${timeoutMs} ms (${seen.length} events seen)`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) {
              const first = Array.isArray(v) ? v[0] : v;
              if (first !== undefined) headers[k] = first.toString();
            }
            seen.push({
              topic,
              partition,
              offset: message.offset,
              key: message.key ? message.key.toString() : null,
              value: message.value ?? Buffer.alloc(0),
              headers,
            });
            if (until(seen)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    return seen;
  } finally {
    await consumer.disconnect();
    if (forgetGroup) {
      const admin = broker.admin();
      await admin
        .connect()
        .then(() => admin.deleteGroups([groupId]))
        .catch(() => undefined)
        .finally(() => admin.disconnect());
    }
  }
}

/** Thrown when a topic to read does not exist. */
export class UnknownTopicError extends Error {
  constructor(readonly topic: string) {
    super(`topic ${topic} does not exist`);
  }
}

/**
 * Every record of a topic, from the beginning up to its end offsets when the read starts
 * (later records are left out, so the read ends even while producers keep writing).
 */
export async function readWholeTopic(
  broker: BrokerClient,
  topic: string,
  { timeoutMs = 120_000, forgetGroup = true, mustExist = false }: { timeoutMs?: number; forgetGroup?: boolean; mustExist?: boolean } = {},
): Promise<RecordedEvent[]> {
  const admin = broker.admin();
  await admin.connect();
  let offsets: { partition: number; high: string; low: string }[];
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      if (mustExist) throw new UnknownTopicError(topic);
      return [];
    }
    offsets = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const pending = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high) - 1n]));
  if (pending.size === 0) return [];
  const records = await readTopic(broker, topic, {
    timeoutMs,
    forgetGroup,
    until: (seen) => {
      const last = seen[seen.length - 1];
      const target = pending.get(last.partition);
      if (target !== undefined && BigInt(last.offset) >= target) pending.delete(last.partition);
      return pending.size === 0;
    },
  });
  const ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  return records.filter((r) => BigInt(r.offset) < (ends.get(r.partition) ?? 0n));
}

/**
 * Refusals meaning the broker wrote nothing because it does not lead the partition yet: a topic
 * created moments ago on a busy broker can stay leaderless for longer than the client's own
 * retries (CI saw NOT_LEADER after kafkajs's eight), so sendRaw waits for it with a deadline.
 */
const NOT_YET_LED = new Set(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION']);

export function notYetLed(error: unknown): boolean {
  return brokerRefusalType(error, NOT_YET_LED) !== undefined;
}

/** Sends records as they are (no outbox): for tests and tools that inject foreign or malformed events. */
export async function sendRaw(
  broker: BrokerClient,
  topic: string,
  messages: { key: string | null; value: Buffer | null; headers?: Record<string, string>; partition?: number }[],
  { timeoutMs = 120_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const producer = createIdempotentProducer(broker);
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages });
      return;
    } catch (error) {
      if (!notYetLed(error) || Date.now() > deadline) throw error;
    } finally {
      await producer.disconnect();
    }
    await new Promise((r) => setTimeout(r, Math.min(250 * attempt, 2_000)));
  }
}
