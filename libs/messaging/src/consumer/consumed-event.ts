import type { EntityManager } from 'typeorm';

/** An event as a handler sees it: CloudEvents attributes, Kafka position and the raw payload. */
export interface ConsumedEvent {
  id: string;
  type: string;
  source: string;
  time: string;
  /** Kafka key / CloudEvents subject: the case id. */
  key: string | null;
  traceparent?: string;
  topic: string;
  partition: number;
  offset: string;
  /** When the record was produced (Kafka record timestamp, ms since epoch). */
  producedAt: number;
  /** Protobuf bytes; decode with @puente/contracts. */
  payload: Buffer;
  headers: Record<string, string>;
}

/**
 * Applies an event's effect through `tx`, the transaction that also records the event in the
 * inbox: the effect and "already processed" commit together or not at all.
 */
export type EventHandlerFn = (event: ConsumedEvent, tx: EntityManager) => Promise<void>;

export interface EventHandlerBinding {
  /** For logs and DLQ headers. */
  name: string;
  topic: string;
  /** CloudEvents types this handler wants; omitted means every event on the topic. */
  types?: readonly string[];
  handle: EventHandlerFn;
}
