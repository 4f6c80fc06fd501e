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

/** Applies the effects of several events (in partition order) through one transaction. */
export type EventBatchHandlerFn = (events: ConsumedEvent[], tx: EntityManager) => Promise<void>;

export interface EventHandlerBinding {
  /** For logs and DLQ headers. */
  name: string;
  topic: string;
  /** CloudEvents types this handler wants; omitted means every event on the topic. */
  types?: readonly string[];
  /**
   * Further filter on the CloudEvents attributes (e.g. not this service's own events): an event
   * it refuses is ignored like an unbound one, without an inbox row or a transaction.
   */
  accepts?: (event: ConsumedEvent) => boolean;
  handle: EventHandlerFn;
  /**
   * Optional: the effect of all the fresh events of one run at once (e.g. one multi-row insert),
   * called after the run's per-event handlers. If it throws, the events are taken again one by
   * one (each as a batch of one), so a poison event still gets its retries and its DLQ alone.
   * A binding with handleBatch is never called through `handle`.
   */
  handleBatch?: EventBatchHandlerFn;
}
