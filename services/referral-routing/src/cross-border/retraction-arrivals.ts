import { Injectable } from '@nestjs/common';
import { fromBinary } from '@bufbuild/protobuf';
import { AuditLog } from '@puente/audit';
import { RetractionNoticeSchema } from '@puente/contracts';
import { EnvelopeContentError, type OpenedEnvelope } from '@puente/federation';
import { ProblemException } from '@puente/platform';
import type { EntityManager } from 'typeorm';
import { ReferralLifecycle } from '../referrals/referral-lifecycle';
import { ACTION_RULES } from '../referrals/referral-state-machine';
import { RoutingRetractions } from '../retractions/routing-retractions';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A peer's retraction of a cross-border referral's person (kind `referral-retraction`), at the
 * node that hosts the program: in the transaction that answers with the receipt, the copies of
 * that node's referrals covering the person stop (cancelled, the partner told), the case as it
 * crossed is shredded down to its ids (here and in the stored webhook notices), and the partners
 * this node delivered it to are sent their own notices (a consent withdrawal for referral: the
 * notice never says why).
 */
@Injectable()
export class ReferralRetractionArrivals {
  constructor(
    private readonly lifecycle: ReferralLifecycle,
    private readonly retractions: RoutingRetractions,
    private readonly audit: AuditLog,
  ) {}

  async apply(envelope: OpenedEnvelope, tx: EntityManager): Promise<void> {
    let notice: { personId: string; caseId: string };
    try {
      notice = fromBinary(RetractionNoticeSchema, envelope.payload);
    } catch {
      throw new EnvelopeContentError('not a puente.federation.v1.RetractionNotice');
    }
    if (!UUID.test(notice.personId) || (notice.caseId !== '' && !UUID.test(notice.caseId))) throw new EnvelopeContentError('retraction without a person id');
    const at = new Date();
    const held = (await tx.query(
      `SELECT r.id::text AS id, r.case_id::text AS "caseId" FROM referral r JOIN cross_border_referral x ON x.referral_id = r.id AND x.direction = 'inbound' AND x.peer_node = $1
        WHERE $2::uuid = ANY (r.covered_person_ids) ORDER BY r.created_at, r.id`,
      [envelope.iss, notice.personId],
    )) as { id: string; caseId: string }[];
    const peer = { role: 'system' as const, clientId: `node:${envelope.iss}`, partnerId: envelope.iss };
    const cancellable = ACTION_RULES.cancel.from as readonly string[];
    for (const { id, caseId } of held) {
      await tx.query(`UPDATE cross_border_referral SET case_view = jsonb_build_object('caseId', $2::text) WHERE referral_id = $1`, [id, caseId]);
      await tx.query(
        `UPDATE referral_delivery SET payload = jsonb_set(payload, '{data,case}', jsonb_build_object('caseId', $2::text)) WHERE referral_id = $1 AND payload #> '{data,case}' IS NOT NULL`,
        [id, caseId],
      );
      const r = await this.lifecycle.lock(tx, id);
      if (r && cancellable.includes(r.status)) {
        try {
          // A savepoint: a transition the state machine refuses leaves the receipt's transaction usable.
          await tx.transaction((inner) => this.lifecycle.apply(inner, r, { action: 'cancel', reason: 'consent_withdrawn' }, peer, {}, { fromPeer: true }));
        } catch (error) {
          if (!(error instanceof ProblemException) || error.getStatus() >= 500) throw error;
        }
      }
      await this.audit.append(tx, {
        action: 'referral.cross-border-retraction-receive',
        objectType: 'referral',
        objectId: id,
        purpose: 'referral',
        actor: { subject: peer.clientId, clientId: peer.clientId, partnerId: envelope.iss },
        occurredAt: at,
      });
    }
    // What this node passed on to its partners goes too (its own ledger knows them).
    await this.retractions.retract(tx, { personId: notice.personId, caseId: notice.caseId || held[0]?.caseId || null, cause: 'consent-withdrawn', purpose: 'referral', at });
  }
}
