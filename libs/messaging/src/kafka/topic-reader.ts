import { randomUUID } from 'node:crypto';
import { createIdempotentProducer, type BrokerClient } from './kafka-client';

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
 */
export async function readTopic(
  broker: BrokerClient,
  topic: string,
  { until, timeoutMs = 30_000 }: { until: (seen: RecordedEvent[]) => boolean; timeoutMs?: number },
): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  const consumer = broker.consumer({ groupId: `puente.reader.${randomUUID()}`, allowAutoTopicCreation: false });
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
  }
}

/** Sends records as they are (no outbox): for tests and tools that inject foreign or malformed events. */
export async function sendRaw(
  broker: BrokerClient,
  topic: string,
  messages: { key: string | null; value: Buffer | null; headers?: Record<string, string>; partition?: number }[],
): Promise<void> {
  const producer = createIdempotentProducer(broker);
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}
