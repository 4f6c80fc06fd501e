import { fromBinary } from '@bufbuild/protobuf';
import { AuditCheckpointSchema, encodeEvent, fromTimestamp, toTimestamp } from '@puente/contracts';
import { type ChainHead, type ChainVerification, type SqlQueryable, verifyChain } from '@puente/audit';
import type { EntityManager } from 'typeorm';
import { EnvelopeContentError } from './exchange-receiver';
import type { ExchangeWriter } from './exchange-writer';
import type { OpenedEnvelope } from './envelope';
import type { Queryable } from './receipts';

/**
 * Peers witness each other's audit logs. A hash chain kept in one database can be recomputed
 * by whoever can write that database; a head (seq and hash) that another node holds cannot.
 * Each node sends its services' audit heads to its peers (kind `audit-checkpoint`); each peer
 * keeps what it received (table audit_witness_checkpoint); verification checks the local chain
 * against the heads peers hold: a rewritten chain no longer has the witnessed hash at the
 * witnessed seq (`head-mismatch`), a shortened one no longer reaches it (`truncated`).
 */

/** `intake`, `referral-routing`: a service name as checkpoints carry it. */
export const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const HASH = /^[0-9a-f]{64}$/;

/** A checkpoint as a peer holds it. */
export interface WitnessedCheckpoint {
  /** The node whose chain it is. */
  node: string;
  service: string;
  seq: number;
  hash: string;
  takenAt: string;
  /** The node that holds it (filled by whoever collected the checkpoints). */
  witness?: string;
}

/** The head of the audit chain in `db` (null while empty). */
export async function auditHead(db: Queryable): Promise<ChainHead | null> {
  const result = (await db.query('SELECT seq::text AS seq, hash FROM audit_record ORDER BY seq DESC LIMIT 1')) as { seq: string; hash: string }[] | { rows: { seq: string; hash: string }[] };
  const [row] = Array.isArray(result) ? result : result.rows;
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

/**
 * Sends this service's audit head to every peer agreed for `audit-checkpoint`, in the caller's
 * transaction (the outbox carries the envelopes). Returns the head sent, or null for an empty chain.
 */
export async function sendAuditCheckpoint(tx: EntityManager, writer: ExchangeWriter, service: string, at: Date = new Date()): Promise<ChainHead | null> {
  if (!SERVICE_NAME.test(service)) throw new RangeError(`not a service name: ${JSON.stringify(service)}`);
  const head = await auditHead(tx);
  if (!head) return null;
  const payload = encodeEvent(AuditCheckpointSchema, { service, seq: BigInt(head.seq), hash: head.hash, takenAt: toTimestamp(at) });
  const peers = writer.registry.recipientsOf('audit-checkpoint');
  await writer.send(tx, ...peers.map((to) => ({ to, kind: 'audit-checkpoint' as const, key: service, payload })));
  return head;
}

/** The effect of a peer's checkpoint: kept as witnessed (a copy of the same envelope changes nothing). */
export async function witnessAuditCheckpoint(envelope: OpenedEnvelope, tx: EntityManager): Promise<void> {
  let checkpoint: { service: string; seq: bigint; hash: string; takenAt?: { seconds: bigint; nanos: number } };
  try {
    checkpoint = fromBinary(AuditCheckpointSchema, envelope.payload);
  } catch {
    throw new EnvelopeContentError('not a puente.federation.v1.AuditCheckpoint');
  }
  if (!SERVICE_NAME.test(checkpoint.service) || checkpoint.seq < 1n || checkpoint.seq > BigInt(Number.MAX_SAFE_INTEGER) || !HASH.test(checkpoint.hash)) {
    throw new EnvelopeContentError('audit checkpoint without a service, a positive seq or a SHA-256 hash');
  }
  const takenAt = checkpoint.takenAt ? fromTimestamp(checkpoint.takenAt as never) : new Date(envelope.iat * 1000);
  await tx.query(
    `INSERT INTO audit_witness_checkpoint (envelope_id, node, service, seq, hash, taken_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (envelope_id) DO NOTHING`,
    [envelope.jti, envelope.iss, checkpoint.service, checkpoint.seq.toString(), checkpoint.hash, takenAt],
  );
}

/** The newest checkpoint this node holds per node and service (what it witnessed for its peers). */
export async function witnessedCheckpoints(db: Queryable, filter: { node?: string; service?: string } = {}): Promise<WitnessedCheckpoint[]> {
  const result = (await db.query(
    `SELECT DISTINCT ON (node, service) node, service, seq::text AS seq, hash, to_char(taken_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "takenAt"
       FROM audit_witness_checkpoint
      WHERE ($1::text IS NULL OR node = $1) AND ($2::text IS NULL OR service = $2)
      ORDER BY node, service, seq DESC, taken_at DESC`,
    [filter.node ?? null, filter.service ?? null],
  )) as (Omit<WitnessedCheckpoint, 'seq'> & { seq: string })[] | { rows: (Omit<WitnessedCheckpoint, 'seq'> & { seq: string })[] };
  return (Array.isArray(result) ? result : result.rows).map((r) => ({ ...r, seq: Number(r.seq) }));
}

export interface WitnessedVerification {
  checkpoint: WitnessedCheckpoint;
  result: ChainVerification;
}

/**
 * Verifies the local chain against each checkpoint peers witnessed for it. Every result must be
 * ok; a rewrite of history shows as `head-mismatch` or `truncated` at the witnessed seq.
 */
export async function verifyAgainstWitnesses(db: SqlQueryable, checkpoints: readonly WitnessedCheckpoint[]): Promise<WitnessedVerification[]> {
  const results: WitnessedVerification[] = [];
  for (const checkpoint of checkpoints) {
    results.push({ checkpoint, result: await verifyChain(db, { expectedHead: { seq: checkpoint.seq, hash: checkpoint.hash } }) });
  }
  return results;
}

/** Checkpoints of `node`'s `service` among collected lines (JSON, as `audit witnesses --json` prints them). */
export function checkpointsFor(lines: readonly string[], node: string, service: string): WitnessedCheckpoint[] {
  const found: WitnessedCheckpoint[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const value = JSON.parse(line) as Partial<WitnessedCheckpoint>;
    if (value.node !== node || value.service !== service) continue;
    if (typeof value.seq !== 'number' || !Number.isInteger(value.seq) || value.seq < 1 || typeof value.hash !== 'string' || !HASH.test(value.hash)) {
      throw new RangeError('a witnessed checkpoint needs a positive integer seq and a 64-hex-digit hash');
    }
    found.push(value as WitnessedCheckpoint);
  }
  return found;
}
