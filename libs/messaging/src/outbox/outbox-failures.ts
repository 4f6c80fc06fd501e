/** Anything that runs a parameterised query: a pg Client or Pool. */
export interface OutboxQueryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** A row Kafka refused for good, as an operator sees it: identifiers and sizes, never the payload. */
export interface FailedOutboxEvent {
  id: string;
  eventId: string;
  topic: string;
  eventType: string;
  payloadBytes: number;
  createdAt: string;
  failedAt: string;
  lastError: string;
}

/** The rows the relay set aside in outbox_message_failed, oldest first. */
export async function listFailedOutboxEvents(db: OutboxQueryable): Promise<FailedOutboxEvent[]> {
  const { rows } = await db.query<{ id: string; event_id: string; topic: string; event_type: string; size: number; created_at: Date; failed_at: Date; last_error: string }>(
    `SELECT id::text AS id, event_id::text AS event_id, topic, event_type, length(payload) AS size, created_at, failed_at, last_error
       FROM outbox_message_failed ORDER BY id`,
  );
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    topic: r.topic,
    eventType: r.event_type,
    payloadBytes: Number(r.size),
    createdAt: new Date(r.created_at).toISOString(),
    failedAt: new Date(r.failed_at).toISOString(),
    lastError: r.last_error,
  }));
}

/**
 * Puts set-aside rows back in line (the given ids, or all of them) in one statement: each keeps
 * its outbox id and event id, so the relay publishes it next (it has the lowest ids) and a
 * consumer that somehow saw it already recognises it. The insert wakes the relay (NOTIFY).
 * Returns the ids moved back; ids not in outbox_message_failed are simply not among them.
 */
export async function requeueFailedOutboxEvents(db: OutboxQueryable, selection: { ids: readonly string[] } | 'all'): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `WITH back AS (
       DELETE FROM outbox_message_failed WHERE $1::boolean OR id = ANY($2::bigint[]) RETURNING *
     )
     INSERT INTO outbox_message (id, event_id, topic, message_key, event_type, payload, headers, created_at)
     SELECT id, event_id, topic, message_key, event_type, payload, headers, created_at FROM back
     RETURNING id::text AS id`,
    [selection === 'all', selection === 'all' ? [] : [...selection.ids]],
  );
  return rows.map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}
