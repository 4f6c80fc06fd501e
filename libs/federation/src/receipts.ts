/** Anything that runs a parameterized query (a pg Client, a TypeORM DataSource or EntityManager). */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

/** Unacknowledged receipts are reported after this long by default (MirrorMaker or a peer may be slow). */
export const DEFAULT_UNACKNOWLEDGED_AFTER_SECONDS = 300;

export interface UnacknowledgedEnvelope {
  envelopeId: string;
  peer: string;
  kind: string;
  sentAt: string;
  ageSeconds: number;
}

/** Envelopes sent more than `olderThanSeconds` ago that no receipt answered yet, oldest first. */
export async function listUnacknowledged(db: Queryable, { olderThanSeconds = DEFAULT_UNACKNOWLEDGED_AFTER_SECONDS, limit = 1000 } = {}): Promise<UnacknowledgedEnvelope[]> {
  const rows = (await db.query(
    `SELECT envelope_id::text AS "envelopeId", peer, kind, to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "sentAt",
            floor(extract(epoch FROM now() - sent_at))::int AS "ageSeconds"
       FROM federation_sent_envelope
      WHERE receipt_outcome IS NULL AND sent_at < now() - make_interval(secs => $1)
      ORDER BY sent_at LIMIT $2`,
    [olderThanSeconds, limit],
  )) as UnacknowledgedEnvelope[] | { rows: UnacknowledgedEnvelope[] };
  return Array.isArray(rows) ? rows : rows.rows;
}

/** Per peer: how many envelopes wait for a receipt longer than `olderThanSeconds`. */
export async function unacknowledgedByPeer(db: Queryable, olderThanSeconds = DEFAULT_UNACKNOWLEDGED_AFTER_SECONDS): Promise<Map<string, number>> {
  const result = (await db.query(
    `SELECT peer, count(*)::int AS n FROM federation_sent_envelope
      WHERE receipt_outcome IS NULL AND sent_at < now() - make_interval(secs => $1) GROUP BY peer`,
    [olderThanSeconds],
  )) as { peer: string; n: number }[] | { rows: { peer: string; n: number }[] };
  const rows = Array.isArray(result) ? result : result.rows;
  return new Map(rows.map((r) => [r.peer, r.n]));
}

/** Nodes that were sent something about `subject` (a person or case id): where retractions go. */
export async function peersThatReceived(db: Queryable, subject: string, kinds: readonly string[]): Promise<string[]> {
  const result = (await db.query(`SELECT DISTINCT peer FROM federation_sent_envelope WHERE subject = $1 AND kind = ANY($2::text[]) ORDER BY peer`, [subject, kinds])) as
    | { peer: string }[]
    | { rows: { peer: string }[] };
  return (Array.isArray(result) ? result : result.rows).map((r) => r.peer);
}
