import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditLog, type Caller } from '@puente/audit';
import { coversJurisdiction, resourceNotFound } from '@puente/auth';
import { encodeEvent, RetractionNoticeSchema, RetractionReceiptedSchema, RetractionSentSchema, Topics, toTimestamp } from '@puente/contracts';
import {
  attachEnvelope,
  type ExchangeWriter,
  noticeStatus,
  openRetractions,
  receiptNotice,
  type RetractionCause,
  type RetractionNoticeListDto,
  type RetractionNoticeRow,
  retractionNoticesOf,
  retractionReceiptedMessage,
  type RetractionReceiptDto,
  retractionSentMessage,
  toNoticeDto,
} from '@puente/federation';
import { OutboxWriter } from '@puente/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import { EXCHANGE_WRITER } from '../cross-border/cross-border-link';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { DirectoryService } from '../directory/directory.service';
import { ReferralCaseFacts } from '../referrals/case-facts';
import type { PartnerRetractionNoticeDto } from './retraction.dto';

/** The partner notice's type on its webhook and Kafka topic (`puente.partner.v1.retraction.notice`). */
export const RETRACTION_NOTICE_TYPE = 'retraction.notice';

/** Where a partner answers a notice (routing's partner API). */
export function receiptPathOf(noticeId: string): string {
  return `/v1/partner/retraction-notices/${noticeId}/receipt`;
}

/** What a partner is told: ids, codes and times only (never why beyond the cause code). */
export function partnerNoticeData(n: RetractionNoticeRow): Record<string, unknown> {
  return {
    noticeId: n.noticeId,
    personId: n.personId,
    caseId: n.caseId,
    cause: n.cause,
    channels: n.channels,
    sentAt: new Date(n.sentAt).toISOString(),
    dueAt: new Date(n.dueAt).toISOString(),
    receiptPath: receiptPathOf(n.noticeId),
  };
}

export interface RoutingRetraction {
  personId: string;
  caseId: string | null;
  cause: RetractionCause;
  /** For a consent withdrawal: the withdrawn consent's purpose (`referral`, …). */
  purpose?: string;
  /** Receivers another consent still covers (`partner:<id>`, `node:<code>`). */
  keep?: readonly string[];
  at: Date;
  traceparent?: string;
}

/**
 * Referral routing's side of retraction (see docs/federation.md): after a consent withdrawal or
 * an erasure, a notice to every partner and node routing delivered the person's data to (its
 * delivery ledger: webhook, Kafka and REST-pull deliveries to partners, cross-border referrals to
 * nodes), said on puente.referral.retraction.v1; the partner's notice goes out on its delivery
 * channels, a node's as a sealed `referral-retraction` envelope. Receipts close them; the
 * caseworker sees which are missing.
 */
@Injectable()
export class RoutingRetractions {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly directory: DirectoryService,
    private readonly queue: DeliveryQueue,
    private readonly cases: ReferralCaseFacts,
    private readonly audit: AuditLog,
    @Optional() @Inject(EXCHANGE_WRITER) private readonly writer?: ExchangeWriter,
  ) {}

  /**
   * Intake's ConsentWithdrawn (after the case's referrals were reconciled): every person it
   * concerns (the one named, else the case's household) is retracted from the receivers no other
   * consent in force still covers.
   */
  async afterConsentWithdrawn(tx: EntityManager, o: { caseId: string; personId: string | null; purpose: string; at: Date; traceparent?: string }): Promise<RetractionNoticeRow[]> {
    const keep = await this.stillCovered(tx, o.caseId, o.at);
    const opened: RetractionNoticeRow[] = [];
    for (const personId of await this.personsOf(tx, o.caseId, o.personId)) {
      opened.push(...(await this.retract(tx, { personId, caseId: o.caseId, cause: 'consent-withdrawn', purpose: o.purpose, keep, at: o.at, traceparent: o.traceparent })));
    }
    return opened;
  }

  /** Intake's PersonErased: every receiver of the person's data (the one named, else the case's household) is owed a notice. */
  async afterErasure(tx: EntityManager, o: { caseId: string; personId: string | null; at: Date; traceparent?: string }): Promise<RetractionNoticeRow[]> {
    const opened: RetractionNoticeRow[] = [];
    for (const personId of await this.personsOf(tx, o.caseId, o.personId)) {
      opened.push(...(await this.retract(tx, { personId, caseId: o.caseId, cause: 'person-erased', at: o.at, traceparent: o.traceparent })));
    }
    return opened;
  }

  /** Opens the notices owed (none twice: see retractionsDue), says each and sends it, in the caller's transaction. */
  async retract(tx: EntityManager, r: RoutingRetraction): Promise<RetractionNoticeRow[]> {
    const opened = await openRetractions(tx, { personId: r.personId, caseId: r.caseId, cause: r.cause, purpose: r.purpose, keep: r.keep, at: r.at });
    for (const n of opened) {
      await this.outbox.append(tx, {
        topic: Topics.retraction.name,
        key: n.caseId ?? n.personId,
        type: RetractionSentSchema.typeName,
        payload: encodeEvent(RetractionSentSchema, retractionSentMessage(n)),
        traceparent: r.traceparent,
        time: r.at,
      });
      if (n.receiverType === 'partner') await this.toPartner(tx, n, r.traceparent);
      else await this.toNode(tx, n, r.traceparent);
    }
    return opened;
  }

  /**
   * RetractionReceipted for node notices whose envelope the peer answered as applied (call after
   * the receipts were recorded, in their transaction).
   */
  async receiptNodeNotices(tx: EntityManager, receipted: readonly RetractionNoticeRow[], traceparent?: string): Promise<void> {
    for (const n of receipted) await this.sayReceipted(tx, n, traceparent);
  }

  /** Every notice about a person and which receipts are missing; 404 outside the caller's jurisdictions. */
  async list(caller: Caller, personId: string): Promise<RetractionNoticeListDto> {
    const cases = (await this.dataSource.query(`SELECT DISTINCT case_id::text AS "caseId" FROM routing_case_person WHERE person_id = $1`, [personId])) as { caseId: string }[];
    let visible = false;
    for (const { caseId } of cases) {
      const c = await this.cases.find(this.dataSource.manager, caseId);
      if (c && coversJurisdiction(caller.principal.jurisdictions, c.siteCode)) visible = true;
    }
    if (!visible) throw resourceNotFound('person');
    const now = new Date();
    const items = (await retractionNoticesOf(this.dataSource.manager, personId)).map((n) => toNoticeDto(n, noticeStatus(n, now)));
    return { items, missingReceipts: items.filter((i) => i.status !== 'receipted').length };
  }

  /** Notices addressed to the caller's partner that it has not answered yet, oldest first (the REST-pull feed). */
  async partnerFeed(caller: Caller, limit = 100): Promise<{ items: PartnerRetractionNoticeDto[] }> {
    const rows = (await this.dataSource.query(
      `SELECT notice_id::text AS "noticeId", person_id::text AS "personId", case_id::text AS "caseId", receiver_type AS "receiverType", receiver, route, cause, purpose, channels,
              envelope_id::text AS "envelopeId", sent_at AS "sentAt", due_at AS "dueAt", receipted_at AS "receiptedAt"
         FROM retraction_notice WHERE receiver_type = 'partner' AND receiver = $1 AND receipted_at IS NULL ORDER BY sent_at, notice_id LIMIT $2`,
      [caller.principal.partnerId, limit],
    )) as RetractionNoticeRow[];
    const now = new Date();
    return { items: rows.map((n) => ({ ...toNoticeDto(n, noticeStatus(n, now)), personId: n.personId, caseId: n.caseId, receiptPath: receiptPathOf(n.noticeId) })) };
  }

  /** The caller's partner answers a notice addressed to it (idempotent; 404 for anyone else's). */
  async answer(caller: Caller, noticeId: string): Promise<RetractionReceiptDto> {
    return this.dataSource.transaction(async (tx) => {
      const now = new Date();
      const answered = await receiptNotice(tx, noticeId, { type: 'partner', id: caller.principal.partnerId }, now);
      if (answered === undefined) throw resourceNotFound('retraction notice');
      if (answered === null) {
        const [row] = (await tx.query('SELECT receipted_at FROM retraction_notice WHERE notice_id = $1', [noticeId])) as { receipted_at: Date }[];
        return { noticeId, receiptedAt: row.receipted_at.toISOString() };
      }
      await this.sayReceipted(tx, answered, caller.traceparent);
      return { noticeId, receiptedAt: now.toISOString() };
    });
  }

  private async sayReceipted(tx: EntityManager, n: RetractionNoticeRow, traceparent?: string): Promise<void> {
    await this.outbox.append(tx, {
      topic: Topics.retraction.name,
      key: n.caseId ?? n.personId,
      type: RetractionReceiptedSchema.typeName,
      payload: encodeEvent(RetractionReceiptedSchema, retractionReceiptedMessage(n)),
      traceparent,
    });
  }

  /**
   * A partner's notice, on its webhook and Kafka topic (REST-pull partners read their feed),
   * attached to its newest referral of the case so it follows that referral's earlier notices.
   */
  private async toPartner(tx: EntityManager, n: RetractionNoticeRow, traceparent?: string): Promise<void> {
    const partner = await this.directory.findPartner(n.receiver, tx);
    const [referral] = (await tx.query(`SELECT id::text AS id FROM referral WHERE partner_id = $1 AND case_id = $2 ORDER BY created_at DESC, id LIMIT 1`, [n.receiver, n.caseId])) as { id: string }[];
    if (!partner || !referral || !n.caseId) return;
    await this.queue.enqueue(tx, partner, { type: RETRACTION_NOTICE_TYPE, referralId: referral.id, caseId: n.caseId, data: partnerNoticeData(n), at: new Date(n.sentAt) }, traceparent);
  }

  /** A node's notice: a sealed RetractionNotice (kind `referral-retraction`), whose applied receipt closes it. */
  private async toNode(tx: EntityManager, n: RetractionNoticeRow, traceparent?: string): Promise<void> {
    // Without federation nothing was sent to a node, so no notice can be owed to one.
    if (!this.writer || n.route !== 'referral-retraction') return;
    const payload = encodeEvent(RetractionNoticeSchema, { noticeId: n.noticeId, personId: n.personId, caseId: n.caseId ?? '', sentAt: toTimestamp(new Date(n.sentAt)) });
    const [envelopeId] = await this.writer.send(tx, { to: n.receiver, kind: 'referral-retraction', key: n.personId, payload, traceparent });
    await attachEnvelope(tx, [n.noticeId], envelopeId);
    await this.audit.append(tx, {
      action: 'person.retraction-send',
      objectType: 'person',
      objectId: n.personId,
      purpose: n.cause === 'person-erased' ? 'erasure' : 'referral',
      actor: { subject: 'system:referral-routing', clientId: 'referral-routing', partnerId: this.writer.registry.node },
      traceparent: traceparent ?? null,
      occurredAt: new Date(n.sentAt),
    });
  }

  /** The persons a case-level event concerns: the one named, else every member routing knows (erased ones too). */
  private async personsOf(tx: EntityManager, caseId: string, personId: string | null): Promise<string[]> {
    if (personId) return [personId];
    const rows = (await tx.query(`SELECT person_id::text AS id FROM routing_case_person WHERE case_id = $1 ORDER BY person_id`, [caseId])) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /**
   * After a referral consent was withdrawn: the receivers of this case's data that another
   * referral consent in force still covers (a partner named, its type or any partner; a node
   * while the partner of one of the case's referrals there is still covered).
   */
  private async stillCovered(tx: EntityManager, caseId: string, at: Date): Promise<string[]> {
    const receivers = (await tx.query(`SELECT DISTINCT receiver_type AS type, receiver FROM delivery_ledger WHERE case_id = $1 ORDER BY 1, 2`, [caseId])) as { type: 'partner' | 'node'; receiver: string }[];
    const covered = async (partnerId: string): Promise<boolean> => {
      const partner = await this.directory.findPartner(partnerId, tx);
      return !!partner && (await this.cases.consentsFor(tx, caseId, partner, at)).referral;
    };
    const keep: string[] = [];
    for (const r of receivers) {
      const partners =
        r.type === 'partner'
          ? [r.receiver]
          : ((await tx.query(
              `SELECT DISTINCT x.partner_id AS id FROM referral x JOIN cross_border_referral b ON b.referral_id = x.id AND b.direction = 'outbound' AND b.peer_node = $2 WHERE x.case_id = $1`,
              [caseId, r.receiver],
            )) as { id: string }[]).map((p) => p.id);
      for (const p of partners) {
        if (await covered(p)) {
          keep.push(`${r.type}:${r.receiver}`);
          break;
        }
      }
    }
    return keep;
  }
}
