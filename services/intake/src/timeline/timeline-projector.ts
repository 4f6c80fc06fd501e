import { type DescMessage, toJson } from '@bufbuild/protobuf';
import { decodeEvent, eventSchema, isKnownEventType } from '@puente/contracts';
import { queryPrepared } from '@puente/platform';
import type { EntityManager } from 'typeorm';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTOR_TYPE = 'puente.events.v1.Actor';

/** What the projection needs of an event, whether consumed live or re-read from the topic. */
export interface TimelineInput {
  id: string;
  type: string;
  source: string;
  /** `ce_time`; may be empty. */
  time: string;
  /** Kafka key: the case id. */
  key: string | null;
  topic: string;
  payload: Uint8Array;
  /** When ce_time is missing or invalid. */
  fallbackTime: Date;
}

export interface Projected {
  caseId: string;
  occurredAt: Date;
  actor: { clientId: string; partnerId: string; node: string } | null;
  data: Record<string, unknown> | null;
}

/**
 * The timeline entry of an event, or null when it is not about a case (key not a UUID).
 * Generic by design: only CloudEvents attributes and the key are required, so events of a
 * context intake does not know still appear. When the type is in the contracts registry, the
 * payload (never personal data, by contract) is kept as protobuf JSON and the first Actor field
 * of the message becomes the entry's actor.
 */
export function project(input: TimelineInput): Projected | null {
  if (!input.key || !UUID.test(input.key)) return null;
  const parsed = input.time ? new Date(input.time) : undefined;
  const occurredAt = parsed && !Number.isNaN(parsed.getTime()) ? parsed : input.fallbackTime;
  let actor: Projected['actor'] = null;
  let data: Projected['data'] = null;
  if (isKnownEventType(input.type)) {
    try {
      const schema = eventSchema(input.type) as DescMessage;
      const message = decodeEvent(input.type, input.payload) as unknown as Record<string, unknown>;
      data = toJson(schema, message as never) as Record<string, unknown>;
      const field = schema.fields.find((f) => f.fieldKind === 'message' && f.message.typeName === ACTOR_TYPE && message[f.localName] !== undefined);
      const value = field ? (message[field.localName] as { clientId: string; partnerId: string; node: string }) : undefined;
      if (value) actor = { clientId: value.clientId, partnerId: value.partnerId, node: value.node };
    } catch {
      // A payload that does not decode still has its place on the timeline, without details.
      data = null;
    }
  }
  return { caseId: input.key.toLowerCase(), occurredAt, actor, data };
}

/** Writes an event's entry; a repeat of the same (source, id) changes nothing. Returns whether it was new. */
export async function writeTimelineEntry(tx: EntityManager, input: TimelineInput): Promise<boolean> {
  return (await writeTimelineEntries(tx, [input])) > 0;
}

/** Writes the entries of several events with one statement; repeats change nothing. Returns how many were new. */
export async function writeTimelineEntries(tx: EntityManager, inputs: readonly TimelineInput[]): Promise<number> {
  const rows = inputs.flatMap((input) => {
    const entry = project(input);
    return entry ? [{ input, entry }] : [];
  });
  if (rows.length === 0) return 0;
  const inserted = await queryPrepared(
    tx,
    `INSERT INTO timeline_entry (case_id, event_id, type, source, occurred_at, topic, actor_client_id, actor_partner_id, actor_node, data)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[])
     ON CONFLICT (source, event_id) DO NOTHING RETURNING seq`,
    [
      rows.map((r) => r.entry.caseId),
      rows.map((r) => r.input.id),
      rows.map((r) => r.input.type),
      rows.map((r) => r.input.source),
      rows.map((r) => r.entry.occurredAt),
      rows.map((r) => r.input.topic),
      rows.map((r) => r.entry.actor?.clientId || null),
      rows.map((r) => r.entry.actor?.partnerId || null),
      rows.map((r) => r.entry.actor?.node || null),
      rows.map((r) => (r.entry.data === null ? null : JSON.stringify(r.entry.data))),
    ],
  );
  return inserted.length;
}
