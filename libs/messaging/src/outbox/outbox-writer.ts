import type { EntityManager } from 'typeorm';
import { childTraceparent, newEventId, toHeaders } from '../kafka/cloudevents';

/** One domain event to publish after the surrounding transaction commits. */
export interface OutgoingEvent {
  topic: string;
  /** The aggregate id (a case id): Kafka key and CloudEvents subject. */
  key: string;
  /** CloudEvents type: the protobuf full name, e.g. `puente.intake.v1.CaseOpened`. */
  type: string;
  payload: Uint8Array;
  /** The caller's trace context; the event gets a child span of it. */
  traceparent?: string;
  time?: Date;
  id?: string;
}

export class OutboxOutsideTransactionError extends Error {
  constructor() {
    super('OutboxWriter.append must run inside the transaction that changes the state the events describe');
  }
}

/**
 * Appends events to the outbox inside the caller's transaction. Publishing happens later, in
 * the relay, so a rolled-back transaction never publishes and a committed one always does.
 */
export class OutboxWriter {
  constructor(private readonly source: string) {}

  async append(manager: EntityManager, ...events: OutgoingEvent[]): Promise<string[]> {
    if (!manager.queryRunner?.isTransactionActive) throw new OutboxOutsideTransactionError();
    if (events.length === 0) return [];
    const ids: string[] = [];
    const params: unknown[] = [];
    const values: string[] = [];
    for (const e of events) {
      const id = e.id ?? newEventId();
      ids.push(id);
      const headers = toHeaders({
        id,
        type: e.type,
        source: this.source,
        time: (e.time ?? new Date()).toISOString(),
        subject: e.key,
        traceparent: childTraceparent(e.traceparent),
      });
      const n = params.length;
      values.push(`($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6})`);
      params.push(id, e.topic, e.key, e.type, Buffer.from(e.payload), JSON.stringify(headers));
    }
    await manager.query(
      `INSERT INTO outbox_message (event_id, topic, message_key, event_type, payload, headers) VALUES ${values.join(', ')}`,
      params,
    );
    return ids;
  }
}
