import { Injectable } from '@nestjs/common';
import { type Caller } from '@puente/audit';
import { assertJurisdiction, resourceNotFound } from '@puente/auth';
import { RetractionReceiptedSchema, RetractionSentSchema, Topics } from '@puente/contracts';
import {
  noticeStatus,
  openRetractions,
  receiptNotice,
  type RetractionCause as Cause,
  type RetractionNoticeListDto,
  type RetractionNoticeRow,
  retractionNoticesOf,
  retractionReceiptedMessage,
  type RetractionReceiptDto,
  retractionSentMessage,
  toNoticeDto,
} from '@puente/federation';
import { DataSource, type EntityManager } from 'typeorm';
import { consentAllows, type IntendedUse } from '../consents/consent-rules';
import type { ConsentTermsInForce } from '../duplicates/match-key-publication';
import { event, IntakeEvents, type IntakeEvent } from '../events/intake-events';
import { Person } from '../persons/person.entity';

/**
 * Intake's side of retraction: after a consent withdrawal or an erasure, a notice to every partner
 * and node intake delivered the person's data to (its delivery ledger: disclosures to partners,
 * match keys to nodes), said on puente.referral.retraction.v1; the receipts that answer them; the
 * caseworker's view of which receipts are missing.
 */
@Injectable()
export class RetractionNotices {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: IntakeEvents,
  ) {}

  /** Opens the notices owed and returns their RetractionSent events (in the caller's transaction). */
  async retract(tx: EntityManager, request: { personId: string; caseId: string | null; cause: Cause; purpose?: string; at: Date }): Promise<IntakeEvent[]> {
    const keep = request.cause === 'consent-withdrawn' && request.purpose ? await this.stillCovered(tx, request.personId, request.purpose, request.at) : [];
    const opened = await openRetractions(tx, { ...request, keep });
    return opened.filter((n) => n.caseId).map((n) => this.sentEvent(n));
  }

  /**
   * After a consent of `purpose` was withdrawn: the receivers that another consent in force still
   * covers (they keep what they got), as `partner:<id>` / `node:<code>`.
   */
  async stillCovered(tx: EntityManager, personId: string, purpose: string, at: Date): Promise<string[]> {
    const receivers: { type: 'partner' | 'node'; receiver: string; partnerType: string | null }[] = await tx.query(
      `SELECT DISTINCT l.receiver_type AS type, l.receiver, p.partner_type AS "partnerType"
         FROM delivery_ledger l LEFT JOIN partner_directory_entry p ON l.receiver_type = 'partner' AND p.id = l.receiver
        WHERE l.person_id = $1`,
      [personId],
    );
    const consents: ConsentTermsInForce[] = await tx.query(
      `SELECT purpose, partner_id AS "partnerId", partner_type AS "partnerType", destination_country AS "destinationCountry",
              valid_from AS "validFrom", valid_until AS "validUntil", withdrawn_at AS "withdrawnAt"
         FROM consent WHERE person_id = $1 AND purpose = $2 AND withdrawn_at IS NULL`,
      [personId, purpose],
    );
    const use = (r: (typeof receivers)[number]): IntendedUse =>
      r.type === 'partner' ? { purpose: purpose as IntendedUse['purpose'], partnerId: r.receiver, partnerType: r.partnerType ?? undefined } : { purpose: purpose as IntendedUse['purpose'], destinationCountry: r.receiver };
    return receivers.filter((r) => consents.some((c) => consentAllows(c, use(r), at))).map((r) => `${r.type}:${r.receiver}`);
  }

  /** RetractionReceipted for notices just answered. */
  receipted(rows: readonly RetractionNoticeRow[]): IntakeEvent[] {
    return rows
      .filter((n) => n.caseId && n.receiptedAt)
      .map((n) => event(RetractionReceiptedSchema, retractionReceiptedMessage(n), n.caseId as string, Topics.retraction.name));
  }

  /** Every notice about a person and which receipts are missing (ids and codes only: no personal data). */
  async list(caller: Caller, personId: string): Promise<RetractionNoticeListDto> {
    const person = await this.dataSource.manager.findOneBy(Person, { id: personId });
    if (!person) throw resourceNotFound('person');
    assertJurisdiction(caller.principal, person.siteCode, { hideAs: 'person' });
    const now = new Date();
    const items = (await retractionNoticesOf(this.dataSource.manager, personId)).map((n) => toNoticeDto(n, noticeStatus(n, now)));
    return { items, missingReceipts: items.filter((i) => i.status !== 'receipted').length };
  }

  /** The caller's partner answers a notice addressed to it (idempotent). */
  async answer(caller: Caller, noticeId: string): Promise<RetractionReceiptDto> {
    return this.dataSource.transaction(async (tx) => {
      const now = new Date();
      const answered = await receiptNotice(tx, noticeId, { type: 'partner', id: caller.principal.partnerId }, now);
      // A notice addressed to someone else is not the caller's to see.
      if (answered === undefined) throw resourceNotFound('retraction notice');
      if (answered === null) {
        const [row]: { receipted_at: Date }[] = await tx.query('SELECT receipted_at FROM retraction_notice WHERE notice_id = $1', [noticeId]);
        return { noticeId, receiptedAt: row.receipted_at.toISOString() };
      }
      await this.events.append(tx, caller.traceparent, this.receipted([answered]), now);
      return { noticeId, receiptedAt: now.toISOString() };
    });
  }

  private sentEvent(n: RetractionNoticeRow): IntakeEvent {
    return event(RetractionSentSchema, retractionSentMessage(n), n.caseId as string, Topics.retraction.name);
  }
}
