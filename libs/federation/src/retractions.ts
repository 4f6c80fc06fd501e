import { randomUUID } from 'node:crypto';
import { EXCHANGE_KINDS, type ExchangeKind, isExchangeKind } from './exchange-kinds';
import type { Queryable } from './receipts';

/**
 * Retraction notices: when a person withdraws a consent or is erased, every receiver that got
 * their data (a partner or another node, as the delivery ledger records it) is sent a notice and
 * must answer with a receipt once it stopped processing and deleted what it held. This file holds
 * the rule (who is owed a notice), pure and tested, and the notices' storage.
 */

export type RetractionCause = 'consent-withdrawn' | 'person-erased';
export type ReceiverType = 'node' | 'partner';

/** How a notice travels: an exchange kind to a node, or the partner's delivery channels. */
export type RetractionRoute = 'match-keys-retraction' | 'referral-retraction' | 'retraction' | 'partner';

/** Answer within this long, or the notice is overdue (operator command, caseworker view). */
export const DEFAULT_RETRACTION_RECEIPT_SECONDS = 72 * 3600;

/**
 * The consent purpose a delivery through `channel` relied on. Partner channels (intake's
 * disclosures, routing's webhook, Kafka and pull deliveries) serve referrals. An unknown channel
 * is taken to rely on every consent: any withdrawal retracts it (the safe side).
 */
export function purposeOfChannel(channel: string): string | null {
  if (isExchangeKind(channel)) return EXCHANGE_KINDS[channel].consentPurpose;
  if (['disclosure', 'webhook', 'kafka', 'pull'].includes(channel)) return 'referral';
  return null;
}

/** The notice that retracts a delivery through `channel` to a receiver of `type`. */
export function routeOf(type: ReceiverType, channel: string): RetractionRoute {
  if (type === 'partner') return 'partner';
  if (channel === 'match-keys') return 'match-keys-retraction';
  // A cross-border referral's copy is held by the receiving node's referral routing.
  return channel === 'referral' ? 'referral-retraction' : 'retraction';
}

/** The exchange kind a node notice travels as. */
export function retractionKindOf(route: Exclude<RetractionRoute, 'partner'>): ExchangeKind {
  return route;
}

/** A delivery of the person's data, as far as retraction is concerned. */
export interface DeliveryFact {
  receiverType: ReceiverType;
  receiver: string;
  channel: string;
  caseId: string | null;
  deliveredAt: Date;
}

/** A notice already sent about the person. */
export interface NoticeFact {
  receiverType: ReceiverType;
  receiver: string;
  route: RetractionRoute;
  /** The withdrawn consent's purpose; null for an erasure (it covers every delivery). */
  purpose: string | null;
  sentAt: Date;
}

export interface Retraction {
  cause: RetractionCause;
  /** For a consent withdrawal: the withdrawn consent's purpose. */
  purpose?: string | null;
  /**
   * For a consent withdrawal: receivers another consent in force still covers (`partner:<id>`,
   * `node:<code>`); they keep what they got.
   */
  keep?: readonly string[];
}

/** One notice owed: to a receiver, by one route, for the deliveries through these channels. */
export interface RetractionDue {
  receiverType: ReceiverType;
  receiver: string;
  route: RetractionRoute;
  channels: string[];
  /** The newest case the retracted deliveries were about, if any. */
  caseId: string | null;
}

function concerns(delivery: DeliveryFact, retraction: Retraction): boolean {
  if (retraction.cause === 'person-erased') return true;
  if (retraction.keep?.includes(`${delivery.receiverType}:${delivery.receiver}`)) return false;
  const purpose = purposeOfChannel(delivery.channel);
  return purpose === null || purpose === (retraction.purpose ?? null);
}

function covers(notice: NoticeFact, delivery: DeliveryFact): boolean {
  return (
    notice.receiverType === delivery.receiverType &&
    notice.receiver === delivery.receiver &&
    notice.route === routeOf(delivery.receiverType, delivery.channel) &&
    notice.sentAt.getTime() >= delivery.deliveredAt.getTime() &&
    (notice.purpose === null || purposeOfChannel(delivery.channel) === null || notice.purpose === purposeOfChannel(delivery.channel))
  );
}

/**
 * Who is owed a notice: every receiver, per route, with a delivery this retraction concerns
 * (an erasure concerns every delivery, a withdrawal those that relied on that consent) that no
 * earlier notice to it already covered. Sorted by receiver type, receiver and route.
 */
export function retractionsDue(deliveries: readonly DeliveryFact[], sent: readonly NoticeFact[], retraction: Retraction): RetractionDue[] {
  const due = new Map<string, RetractionDue & { newest: number }>();
  for (const d of deliveries) {
    if (!concerns(d, retraction) || sent.some((n) => covers(n, d))) continue;
    const route = routeOf(d.receiverType, d.channel);
    const key = `${d.receiverType}\u0000${d.receiver}\u0000${route}`;
    const entry = due.get(key) ?? { receiverType: d.receiverType, receiver: d.receiver, route, channels: [], caseId: null, newest: -Infinity };
    if (!entry.channels.includes(d.channel)) entry.channels.push(d.channel);
    if (d.caseId && d.deliveredAt.getTime() >= entry.newest) entry.caseId = d.caseId;
    entry.newest = Math.max(entry.newest, d.deliveredAt.getTime());
    due.set(key, entry);
  }
  return [...due.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { newest: _newest, ...rest }]) => ({ ...rest, channels: [...rest.channels].sort() }));
}

export type NoticeStatus = 'receipted' | 'waiting' | 'overdue';

/** A notice's state at `now`. */
export function noticeStatus(notice: { dueAt: Date; receiptedAt: Date | null }, now: Date): NoticeStatus {
  if (notice.receiptedAt) return 'receipted';
  return notice.dueAt.getTime() <= now.getTime() ? 'overdue' : 'waiting';
}

// ---------------------------------------------------------------------------------------------
// Storage (table retraction_notice, migration CreateRetractionNotices; the deliveries are the
// delivery ledger's rows, table delivery_ledger).

export interface RetractionNoticeRow {
  noticeId: string;
  personId: string;
  caseId: string | null;
  receiverType: ReceiverType;
  receiver: string;
  route: RetractionRoute;
  cause: RetractionCause;
  purpose: string | null;
  channels: string[];
  envelopeId: string | null;
  sentAt: Date;
  dueAt: Date;
  receiptedAt: Date | null;
}

const NOTICE_COLUMNS = `notice_id::text AS "noticeId", person_id::text AS "personId", case_id::text AS "caseId", receiver_type AS "receiverType",
  receiver, route, cause, purpose, channels, envelope_id::text AS "envelopeId", sent_at AS "sentAt", due_at AS "dueAt", receipted_at AS "receiptedAt"`;

async function rows<T>(db: Queryable, text: string, params: unknown[]): Promise<T[]> {
  const result = (await db.query(text, params)) as T[] | { rows: T[] } | [T[], number];
  // An UPDATE … RETURNING through TypeORM answers [rows, count].
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return Array.isArray(result) ? (result as T[]) : result.rows;
}

export interface RetractionRequest extends Retraction {
  personId: string;
  /** The person's case (the notice's event key) when the deliveries name none. */
  caseId: string | null;
  at: Date;
  receiptWithinSeconds?: number;
}

/**
 * Opens the notices a consent withdrawal or an erasure owes (see retractionsDue), in the
 * caller's transaction, and returns them: the caller sends each (a node's through the exchange,
 * a partner's on its delivery channels) and says so on the retraction topic.
 */
export async function openRetractions(tx: Queryable, request: RetractionRequest): Promise<RetractionNoticeRow[]> {
  const deliveries = await rows<DeliveryFact>(
    tx,
    `SELECT receiver_type AS "receiverType", receiver, channel, case_id::text AS "caseId", delivered_at AS "deliveredAt" FROM delivery_ledger WHERE person_id = $1`,
    [request.personId],
  );
  const sent = await rows<NoticeFact>(tx, `SELECT receiver_type AS "receiverType", receiver, route, purpose, sent_at AS "sentAt" FROM retraction_notice WHERE person_id = $1`, [request.personId]);
  const due = retractionsDue(deliveries, sent, request);
  if (due.length === 0) return [];
  const dueAt = new Date(request.at.getTime() + (request.receiptWithinSeconds ?? DEFAULT_RETRACTION_RECEIPT_SECONDS) * 1000);
  const ids = due.map(() => randomUUID());
  return rows<RetractionNoticeRow>(
    tx,
    `INSERT INTO retraction_notice (notice_id, person_id, case_id, receiver_type, receiver, route, cause, purpose, channels, sent_at, due_at)
     SELECT t.id, $2, t.case_id, t.receiver_type, t.receiver, t.route, $3, $4, ARRAY(SELECT jsonb_array_elements_text(t.channels)), $5, $6
       FROM unnest($1::uuid[], $7::uuid[], $8::text[], $9::text[], $10::text[], $11::jsonb[]) AS t (id, case_id, receiver_type, receiver, route, channels)
     RETURNING ${NOTICE_COLUMNS}`,
    [
      ids,
      request.personId,
      request.cause,
      request.cause === 'consent-withdrawn' ? (request.purpose ?? null) : null,
      request.at,
      dueAt,
      due.map((d) => d.caseId ?? request.caseId),
      due.map((d) => d.receiverType),
      due.map((d) => d.receiver),
      due.map((d) => d.route),
      due.map((d) => JSON.stringify(d.channels)),
    ],
  );
}

/** Notices to `node` by `route` about the person that no envelope carried yet (the sender attaches one). */
export async function unsentNodeNotices(tx: Queryable, personId: string, node: string, route: Exclude<RetractionRoute, 'partner'>): Promise<RetractionNoticeRow[]> {
  return rows(tx, `SELECT ${NOTICE_COLUMNS} FROM retraction_notice WHERE person_id = $1 AND receiver_type = 'node' AND receiver = $2 AND route = $3 AND envelope_id IS NULL`, [personId, node, route]);
}

export async function findNotice(db: Queryable, noticeId: string): Promise<RetractionNoticeRow | undefined> {
  return (await rows<RetractionNoticeRow>(db, `SELECT ${NOTICE_COLUMNS} FROM retraction_notice WHERE notice_id = $1`, [noticeId]))[0];
}

/** The envelope that carried node notices (its receipt is theirs). */
export async function attachEnvelope(tx: Queryable, noticeIds: readonly string[], envelopeId: string): Promise<void> {
  if (noticeIds.length > 0) await tx.query(`UPDATE retraction_notice SET envelope_id = $2 WHERE notice_id = ANY($1::uuid[]) AND envelope_id IS NULL`, [noticeIds, envelopeId]);
}

/**
 * A receiver's answer to a notice addressed to it (idempotent). Returns the notice when this
 * call receipted it, null when it was receipted before, undefined when no such notice is
 * addressed to that receiver.
 */
export async function receiptNotice(tx: Queryable, noticeId: string, receiver: { type: ReceiverType; id: string }, at: Date): Promise<RetractionNoticeRow | null | undefined> {
  const updated = await rows<RetractionNoticeRow>(
    tx,
    `UPDATE retraction_notice SET receipted_at = $4 WHERE notice_id = $1 AND receiver_type = $2 AND receiver = $3 AND receipted_at IS NULL RETURNING ${NOTICE_COLUMNS}`,
    [noticeId, receiver.type, receiver.id, at],
  );
  if (updated.length > 0) return updated[0];
  const existing = await rows<{ n: number }>(tx, `SELECT 1 AS n FROM retraction_notice WHERE notice_id = $1 AND receiver_type = $2 AND receiver = $3`, [noticeId, receiver.type, receiver.id]);
  return existing.length > 0 ? null : undefined;
}

/**
 * Node notices whose envelope a peer answered as applied (the exchange receiver recorded the
 * receipt on federation_sent_envelope): marked receipted now, in the caller's transaction, and
 * returned so the caller says so (RetractionReceipted).
 */
export async function receiptNodeNotices(tx: Queryable): Promise<RetractionNoticeRow[]> {
  return rows(
    tx,
    `UPDATE retraction_notice n SET receipted_at = s.receipt_at
       FROM federation_sent_envelope s
      WHERE n.envelope_id = s.envelope_id AND n.receiver = s.peer AND s.receipt_outcome = 'applied' AND n.receipted_at IS NULL
      RETURNING ${NOTICE_COLUMNS.replace(/\b(notice_id|person_id|case_id|receiver_type|receiver|route|cause|purpose|channels|envelope_id|sent_at|due_at|receipted_at)\b/g, 'n.$1')}`,
    [],
  );
}

/** Every notice sent about a person, newest first (the caseworker's view). */
export async function retractionNoticesOf(db: Queryable, personId: string): Promise<RetractionNoticeRow[]> {
  return rows(db, `SELECT ${NOTICE_COLUMNS} FROM retraction_notice WHERE person_id = $1 ORDER BY sent_at DESC, receiver_type, receiver, route`, [personId]);
}

/** Notices past their due time without a receipt, oldest first (the operator command). */
export async function overdueRetractions(db: Queryable, { now = new Date(), limit = 1000 }: { now?: Date; limit?: number } = {}): Promise<RetractionNoticeRow[]> {
  return rows(db, `SELECT ${NOTICE_COLUMNS} FROM retraction_notice WHERE receipted_at IS NULL AND due_at <= $1 ORDER BY due_at, notice_id LIMIT $2`, [now, limit]);
}
