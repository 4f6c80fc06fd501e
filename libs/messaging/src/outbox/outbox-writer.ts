import type { StatementPart } from '@puente/platform';
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
  /** `content-type` header; protobuf unless said otherwise (partner topics carry JSON). */
  contentType?: string;
}

export class OutboxOutsideTransactionError extends Error {
  constructor() {
    super('OutboxWriter.append must run inside the transaction that changes the state the events describe');
  }
}

// One statement with six array parameters, whatever the number of events: the same text every
// time (cheap to parse) and far less protocol overhead than a VALUES list.
const INSERT_EVENTS = `INSERT INTO outbox_message (event_id, topic, message_key, event_type, payload, headers)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::jsonb[])`;

/**
 * Appends events to the outbox inside the caller's transaction. Publishing happens later, in
 * the relay, so a rolled-back transaction never publishes and a committed one always does.
 */
export class OutboxWriter {
  constructor(private readonly source: string) {}

  async append(manager: EntityManager, ...events: OutgoingEvent[]): Promise<string[]> {
    if (!manager.queryRunner?.isTransactionActive) throw new OutboxOutsideTransactionError();
    if (events.length === 0) return [];
    const { ids, params } = this.rows(events);
    await manager.query(INSERT_EVENTS, params);
    return ids;
  }

  /**
   * The same insert as a part of one composed statement (see composeStatement), for a write
   * that commits its own rows and its events in a single statement. CTE name: `outbox_insert`.
   */
  part(events: readonly OutgoingEvent[]): { part: StatementPart; ids: string[] } {
    const { ids, params } = this.rows(events);
    return { part: { ctes: [['outbox_insert', INSERT_EVENTS]], params }, ids };
  }

  private rows(events: readonly OutgoingEvent[]): { ids: string[]; params: unknown[] } {
    const ids: string[] = [];
    const topics: string[] = [];
    const keys: string[] = [];
    const types: string[] = [];
    const payloads: Buffer[] = [];
    const headers: string[] = [];
    for (const e of events) {
      const id = e.id ?? newEventId();
      ids.push(id);
      topics.push(e.topic);
      keys.push(e.key);
      types.push(e.type);
      payloads.push(Buffer.from(e.payload));
      headers.push(
        JSON.stringify(
          toHeaders({
            id,
            type: e.type,
            source: this.source,
            time: (e.time ?? new Date()).toISOString(),
            subject: e.key,
            traceparent: childTraceparent(e.traceparent),
            contentType: e.contentType,
          }),
        ),
      );
    }
    return { ids, params: [ids, topics, keys, types, payloads, headers] };
  }
}
