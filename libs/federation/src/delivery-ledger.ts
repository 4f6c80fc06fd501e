import type { Queryable } from './receipts';

/** One person's data delivered to one receiver (a node or a partner). */
export interface LedgerDelivery {
  receiverType: 'node' | 'partner';
  /** Node code (`MX`) or partner id. */
  receiver: string;
  /** How it went: an exchange kind (`referral`, `custody-transfer`) or a partner channel. */
  channel: string;
  envelopeId?: string | null;
  caseId?: string | null;
  personId: string;
  /** Field names delivered (after minimization). */
  fields: readonly string[];
}

export interface LedgerRow extends Required<Omit<LedgerDelivery, 'fields'>> {
  fields: string[];
  deliveredAt: Date;
}

/** Records deliveries in the caller's transaction (a copy of the same envelope is recorded once). */
export async function recordDeliveries(tx: Queryable, deliveries: readonly LedgerDelivery[], at: Date = new Date()): Promise<void> {
  if (deliveries.length === 0) return;
  await tx.query(
    `INSERT INTO delivery_ledger (receiver_type, receiver, channel, envelope_id, case_id, person_id, fields, delivered_at)
     SELECT t.receiver_type, t.receiver, t.channel, t.envelope_id, t.case_id, t.person_id, ARRAY(SELECT jsonb_array_elements_text(t.fields)), $8
       FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::jsonb[]) AS t (receiver_type, receiver, channel, envelope_id, case_id, person_id, fields)
     ON CONFLICT (envelope_id, person_id) WHERE envelope_id IS NOT NULL DO NOTHING`,
    [
      deliveries.map((d) => d.receiverType),
      deliveries.map((d) => d.receiver),
      deliveries.map((d) => d.channel),
      deliveries.map((d) => d.envelopeId ?? null),
      deliveries.map((d) => d.caseId ?? null),
      deliveries.map((d) => d.personId),
      deliveries.map((d) => JSON.stringify(d.fields)),
      at,
    ],
  );
}

/** Every delivery of a person's data, oldest first: where retraction notices must go. */
export async function deliveriesOf(db: Queryable, personId: string): Promise<LedgerRow[]> {
  const result = (await db.query(
    `SELECT receiver_type AS "receiverType", receiver, channel, envelope_id::text AS "envelopeId", case_id::text AS "caseId", person_id::text AS "personId", fields, delivered_at AS "deliveredAt"
       FROM delivery_ledger WHERE person_id = $1 ORDER BY delivered_at, id`,
    [personId],
  )) as LedgerRow[] | { rows: LedgerRow[] };
  return Array.isArray(result) ? result : result.rows;
}
