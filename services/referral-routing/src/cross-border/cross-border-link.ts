import { Inject, Injectable, Optional } from '@nestjs/common';
import { create, toBinary } from '@bufbuild/protobuf';
import { AuditLog } from '@puente/audit';
import { CrossBorderReferralSentSchema, encodeEvent, ReferralExchangeSchema, Topics, toTimestamp } from '@puente/contracts';
import { type ExchangeWriter, type NodeRegistry, recordDeliveries } from '@puente/federation';
import { OutboxWriter } from '@puente/messaging';
import { ProblemException, ServiceConfig } from '@puente/platform';
import { minimize } from '@puente/privacy';
import type { EntityManager } from 'typeorm';
import { type CaseFacts, referralCaseView } from '../referrals/case-facts';
import type { ActingParty } from '../referrals/referral-lifecycle';
import { ReferralProblemTypes } from '../referrals/referral-problems';
import type { TransitionRequest } from '../referrals/referral-state-machine';
import type { ReferralEntity } from '../referrals/referral.entities';
import { type CrossBorderDirection, decideReferralCrossing, forwardsTransition } from './cross-border-rules';

export const NODE_REGISTRY = 'puente:federation:NODE_REGISTRY';
export const EXCHANGE_WRITER = 'puente:federation:EXCHANGE_WRITER';

/** A referral's other side, when it has one. */
export interface CrossBorderSide {
  direction: CrossBorderDirection;
  peerNode: string;
}

/** The audit actor of a party; Puente's own actions (no partner) are recorded as this node's. */
function actorOf(a: ActingParty, node: string): { subject: string; clientId: string; partnerId: string } {
  return { subject: a.clientId, clientId: a.clientId, partnerId: a.partnerId || node };
}

/**
 * The link between a cross-border referral's two copies: the origin's (custody stays there) and
 * the copy at the node hosting the program. Sends the request sealed to the host, and each later
 * transition to the other side; every crossing is audited with its purpose and every person's
 * delivery recorded in the delivery ledger. Without federation (a production node without a
 * registry) a referral to another node's program is refused.
 */
@Injectable()
export class CrossBorderLink {
  constructor(
    private readonly config: ServiceConfig,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditLog,
    @Optional() @Inject(NODE_REGISTRY) private readonly registry?: NodeRegistry,
    @Optional() @Inject(EXCHANGE_WRITER) private readonly writer?: ExchangeWriter,
  ) {}

  get node(): string {
    return this.config.PUENTE_NODE;
  }

  async sideOf(tx: EntityManager, referralId: string): Promise<CrossBorderSide | undefined> {
    const [row] = (await tx.query(`SELECT direction, peer_node FROM cross_border_referral WHERE referral_id = $1`, [referralId])) as { direction: CrossBorderDirection; peer_node: string }[];
    return row ? { direction: row.direction, peerNode: row.peer_node } : undefined;
  }

  /** The case as the origin sent it (inbound referrals), already minimized at the border. */
  async caseViewOf(tx: EntityManager, referralId: string): Promise<Record<string, unknown> | undefined> {
    const [row] = (await tx.query(`SELECT case_view FROM cross_border_referral WHERE referral_id = $1 AND direction = 'inbound'`, [referralId])) as { case_view: Record<string, unknown> }[];
    return row?.case_view;
  }

  /**
   * Sends a new referral to `hostNode` in the caller's transaction: the case minimized to the
   * partner's agreement ∩ consent, then to the node agreement; refused (409) without a
   * node agreement, without consent, or under the protection block.
   */
  async sendRequest(
    tx: EntityManager,
    r: ReferralEntity,
    o: { hostNode: string; facts: CaseFacts; consented: string[]; agreementFields: string[]; actor: ActingParty },
  ): Promise<void> {
    const at = new Date();
    // Nothing crosses and nothing is kept: the caller's transaction rolls back with the 409.
    const refuse = (reason: string): never => {
      throw new ProblemException(409, ReferralProblemTypes.REFERRAL_NOT_ALLOWED, 'Referral not allowed', `This referral cannot be sent to node ${o.hostNode}: ${reason}.`, { reason: `cross-border-${reason}` });
    };
    if (!this.registry || !this.writer || !this.registry.peers.includes(o.hostNode)) return refuse('no-agreement');
    const view = minimize(referralCaseView(o.facts, r.coveredPersonIds), o.agreementFields, o.consented) as Record<string, unknown>;
    const facts = { nationality: o.facts.profile.nationality, flags: o.facts.profile.flags, pathway: r.pathway, consentedFields: o.consented.length ? o.consented : null };
    const crossing = decideReferralCrossing(facts, this.registry.agreementWith(o.hostNode), view);
    if (!crossing.allowed) return refuse(crossing.reason);
    const payload = toBinary(
      ReferralExchangeSchema,
      create(ReferralExchangeSchema, {
        message: {
          case: 'request',
          value: {
            referralId: r.id,
            caseId: r.caseId,
            programId: r.programId,
            partnerId: r.partnerId,
            coveredPersonIds: r.coveredPersonIds,
            partOfReferralId: r.partOf ?? '',
            reason: r.statusReason,
            referringPartnerId: r.referringPartnerId,
            requestedAt: toTimestamp(r.createdAt),
            caseViewJson: JSON.stringify(crossing.view),
            fields: crossing.fields,
            border: {
              nationalities: facts.nationality ? [facts.nationality] : [],
              fearOfReturn: facts.flags.includes('fear_of_return'),
              asylumClaim: facts.pathway === 'asylum',
              protectionFlags: [...facts.flags],
              protectionOverride: crossing.overridden,
            },
          },
        },
      }),
    );
    const [envelopeId] = await this.writer.send(tx, { to: o.hostNode, kind: 'referral', key: r.caseId, payload, traceparent: o.actor.traceparent });
    await tx.query(`INSERT INTO cross_border_referral (referral_id, direction, peer_node, fields) VALUES ($1, 'outbound', $2, $3)`, [r.id, o.hostNode, crossing.fields]);
    await recordDeliveries(
      tx,
      r.coveredPersonIds.map((personId) => ({ receiverType: 'node' as const, receiver: o.hostNode, channel: 'referral', envelopeId, caseId: r.caseId, personId, fields: crossing.fields })),
      at,
    );
    await this.audit.append(tx, { action: 'referral.cross-border-send', objectType: 'referral', objectId: r.id, purpose: 'referral', actor: actorOf(o.actor, this.node), traceparent: o.actor.traceparent ?? null, occurredAt: at });
    await this.outbox.append(tx, {
      topic: Topics.referral.name,
      key: r.caseId,
      type: CrossBorderReferralSentSchema.typeName,
      payload: encodeEvent(CrossBorderReferralSentSchema, {
        referralId: r.id,
        caseId: r.caseId,
        programId: r.programId,
        partnerId: r.partnerId,
        toNode: o.hostNode,
        envelopeId,
        fields: crossing.fields,
        sentAt: toTimestamp(at),
        actor: { clientId: o.actor.clientId, partnerId: o.actor.partnerId, node: this.node },
      }),
      traceparent: o.actor.traceparent,
      time: at,
    });
  }

  /**
   * After a transition of a cross-border referral: tells the other side (ids and codes only, no
   * personal data), unless it came from there. The link's own agreement must still list
   * referrals; without it the change stays local (and shows as unacknowledged nowhere).
   */
  async forward(tx: EntityManager, r: ReferralEntity, side: CrossBorderSide, request: Omit<TransitionRequest, 'role'>, actor: ActingParty, fromPeer: boolean): Promise<void> {
    if (!forwardsTransition(side.direction, request.action, fromPeer)) return;
    await this.sendUpdate(tx, side.peerNode, r.id, r.caseId, request, actor);
  }

  /** One update to `peer` about a referral it shares with this node (no-op when no agreement lists referrals with it). */
  async sendUpdate(tx: EntityManager, peer: string, referralId: string, caseId: string, request: Omit<TransitionRequest, 'role'>, actor: ActingParty): Promise<void> {
    if (!this.writer || !this.registry?.maySend(peer, 'referral')) return;
    const at = new Date();
    const payload = toBinary(
      ReferralExchangeSchema,
      create(ReferralExchangeSchema, {
        message: {
          case: 'update',
          value: {
            referralId,
            caseId,
            action: request.action,
            reason: request.reason,
            milestone: request.milestone ?? '',
            outcome: request.outcome ?? '',
            actorRole: actor.role,
            actorPartnerId: actor.partnerId,
            at: toTimestamp(at),
          },
        },
      }),
    );
    await this.writer.send(tx, { to: peer, kind: 'referral', key: caseId, payload, traceparent: actor.traceparent });
    await this.audit.append(tx, { action: 'referral.cross-border-update-send', objectType: 'referral', objectId: referralId, purpose: 'referral', actor: actorOf(actor, this.node), traceparent: actor.traceparent ?? null, occurredAt: at });
  }
}
