import { randomUUID } from 'node:crypto';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { decodeEvent, encodeEvent, type EventType, type PuenteEvent } from '@puente/contracts';
import { toHeaders } from './cloudevents';
import type { BrokerClient } from './kafka-client';
import { readTopic, type RecordedEvent, sendRaw } from './topic-reader';

/**
 * One event as its producing service publishes it (protobuf payload, CloudEvents headers, keyed
 * and subject `key`), straight to the topic: for tests and tools that play another service.
 * Returns the event id.
 */
export async function publishEventAs<D extends DescMessage>(
  broker: BrokerClient,
  at: { topic: string; source: string; key: string },
  schema: D,
  message: MessageInitShape<D>,
  eventId: string = randomUUID(),
): Promise<string> {
  await sendRaw(broker, at.topic, [
    {
      key: at.key,
      value: Buffer.from(encodeEvent(schema, message)),
      headers: toHeaders({ id: eventId, type: schema.typeName, source: at.source, time: new Date().toISOString(), subject: at.key }),
    },
  ]);
  return eventId;
}

/** A record read back from a topic with its payload decoded. */
export interface DecodedEvent {
  type: EventType;
  key: string | null;
  headers: Record<string, string>;
  raw: RecordedEvent;
  message: PuenteEvent;
}

/** Reads `topic` (a throwaway consumer) until `until` holds for its events keyed `key`, decoded. */
export async function readEventsOf(
  broker: BrokerClient,
  topic: string,
  key: string,
  until: (events: DecodedEvent[]) => boolean,
  timeoutMs = 30_000,
): Promise<DecodedEvent[]> {
  const decode = (seen: RecordedEvent[]) =>
    seen
      .filter((e) => e.key === key)
      .map((e) => ({ type: e.headers.ce_type as EventType, key: e.key, headers: e.headers, raw: e, message: decodeEvent(e.headers.ce_type, e.value) }));
  return decode(await readTopic(broker, topic, { until: (s) => until(decode(s)), timeoutMs }));
}
