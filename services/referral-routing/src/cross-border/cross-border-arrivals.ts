import { Inject, Injectable, Logger } from '@nestjs/common';
import { fromBinary } from '@bufbuild/protobuf';
import { AuditLog } from '@puente/audit';
import {
  type CrossBorderReferralRequest,
  type CrossBorderReferralUpdate,
  CrossBorderUpdateReceivedSchema,
  encodeEvent,
  type ReferralExchange,
  ReferralExchangeSchema,
  Topics,
  toTimestamp,
} from '@puente/contracts';
import { checkArrival, EnvelopeContentError, EnvelopeRefusedError, type NodeRegistry, type OpenedEnvelope } from '@puente/federation';
import { OutboxWriter } from '@puente/messaging';
import { ProblemException, ServiceConfig } from '@puente/platform';
import { minimize } from '@puente/privacy';
import type { EntityManager } from 'typeorm';
import { DirectoryService } from '../directory/directory.service';
import { milestoneEnum, outcomeEnum, reasonEnum, statusEnum } from '../referrals/referral-events';
import { type ActingParty, ReferralLifecycle } from '../referrals/referral-lifecycle';
import { REQUEST_REASONS } from '../referrals/referral-state-machine';
import { ReferralEntity } from '../referrals/referral.entities';
import { ReferralsService } from '../referrals/referrals.service';
import { CrossBorderLink, NODE_REGISTRY } from './cross-border-link';
import { arrivalOfRequest, readUpdate } from './cross-border-rules';

const HOUR_MS = 3_600_000;

/**
 * What a cross-border referral envelope does where it arrives. A request, at the node hosting
 * the program: checked against this node's own agreement and protection block, then recorded as
 * a referral from the origin and delivered to the program's partner like any other (REST pull,
 * webhook, partner topic). An update, at either side: the other side's transition, applied to this
 * side's copy through the same state machine, and shown on the referral and the case timeline.
 */
@Injectable()
export class CrossBorderArrivals {
  private readonly logger = new Logger('CrossBorderArrivals');

  constructor(
    private readonly config: ServiceConfig,
    private readonly directory: DirectoryService,
    private readonly referrals: ReferralsService,
    private readonly lifecycle: ReferralLifecycle,
    private readonly link: CrossBorderLink,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditLog,
    @Inject(NODE_REGISTRY) private readonly registry: NodeRegistry,
  ) {}

  async apply(envelope: OpenedEnvelope, tx: EntityManager): Promise<void> {
    let exchange: ReferralExchange;
    try {
      exchange = fromBinary(ReferralExchangeSchema, envelope.payload);
    } catch {
      throw new EnvelopeContentError('not a ReferralExchange');
    }
    const peer: ActingParty = { role: 'system', clientId: `node:${envelope.iss}`, partnerId: envelope.iss };
    if (exchange.message.case === 'request') return this.request(exchange.message.value, envelope, tx, peer);
    if (exchange.message.case === 'update') return this.update(exchange.message.value, envelope, tx);
    throw new EnvelopeContentError('empty ReferralExchange');
  }

  private async request(req: CrossBorderReferralRequest, envelope: OpenedEnvelope, tx: EntityManager, peer: ActingParty): Promise<void> {
    for (const arrival of arrivalOfRequest(req)) {
      const refusal = checkArrival('referral', arrival, this.registry.arrivalAgreementWith(envelope.iss));
      if (refusal) throw new EnvelopeRefusedError(refusal);
    }
    let view: Record<string, unknown>;
    try {
      view = JSON.parse(req.caseViewJson) as Record<string, unknown>;
    } catch {
      throw new EnvelopeContentError('case view is not JSON');
    }
    if (typeof view !== 'object' || view === null || Object.keys(view).some((k) => !req.fields.includes(k))) throw new EnvelopeRefusedError('beyond-agreement');
    if (!/^[0-9a-f-]{36}$/.test(req.referralId) || !/^[0-9a-f-]{36}$/.test(req.caseId) || req.coveredPersonIds.length === 0) throw new EnvelopeContentError('ids');
    const at = new Date();
    const program = await this.directory.findProgram(req.programId, tx);
    const partner = program?.partner;
    const audit = (outcome: 'success' | 'denied') =>
      this.audit.append(tx, { action: 'referral.cross-border-receive', objectType: 'referral', objectId: req.referralId, purpose: 'referral', outcome, actor: { subject: peer.clientId, clientId: peer.clientId, partnerId: peer.partnerId }, occurredAt: at });
    if (!program || !partner || program.node !== this.config.PUENTE_NODE || program.status !== 'active' || partner.status !== 'active' || partner.id !== req.partnerId) {
      // Nothing to deliver here: the origin's referral fails (its caseworker refers elsewhere).
      await audit('denied');
      await this.link.sendUpdate(tx, envelope.iss, req.referralId, req.caseId, { action: 'fail', reason: 'endpoint_refused' }, { role: 'system', clientId: 'system', partnerId: '' });
      return;
    }
    const reason = (REQUEST_REASONS as readonly string[]).includes(req.reason) ? req.reason : 'caseworker_referral';
    const inserted = (await tx.query(
      `INSERT INTO referral (id, case_id, program_id, partner_id, pathway, covered_person_ids, status, status_reason, channels,
         acknowledge_due_at, decide_due_at, referring_node, referring_partner_id, requested_by_client)
       VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        req.referralId,
        req.caseId,
        program.id,
        partner.id,
        program.pathway,
        req.coveredPersonIds,
        reason,
        partner.delivery.channels,
        new Date(at.getTime() + program.sla.acknowledgeHours * HOUR_MS),
        new Date(at.getTime() + program.sla.decideHours * HOUR_MS),
        envelope.iss,
        req.referringPartnerId,
        peer.clientId,
      ],
    )) as unknown[];
    if (inserted.length === 0) {
      // The same referral again (a copy the inbox did not know), or the case already has one open here.
      const same = await tx.getRepository(ReferralEntity).findOneBy({ id: req.referralId });
      if (!same) await this.link.sendUpdate(tx, envelope.iss, req.referralId, req.caseId, { action: 'fail', reason: 'endpoint_refused' }, { role: 'system', clientId: 'system', partnerId: '' });
      return;
    }
    await tx.query(
      `INSERT INTO referral_transition (referral_id, action, from_status, to_status, reason, actor_role, actor_client, actor_partner, at)
       VALUES ($1, 'request', NULL, 'requested', $2, 'system', $3, $4, $5)`,
      [req.referralId, reason, peer.clientId, peer.partnerId, at],
    );
    // What the partner gets: the case as it crossed, narrowed again to this node's agreement with the partner.
    const agreement = await this.directory.agreementInForce(partner.id, 'referral', at, tx);
    const forPartner = minimize(view, agreement?.fields ?? ['caseId', 'coveredPersonIds'], Object.keys(view)) as Record<string, unknown>;
    await tx.query(`INSERT INTO cross_border_referral (referral_id, direction, peer_node, fields, case_view) VALUES ($1, 'inbound', $2, $3, $4)`, [
      req.referralId,
      envelope.iss,
      req.fields,
      JSON.stringify(forPartner),
    ]);
    await audit('success');
    const r = await tx.getRepository(ReferralEntity).findOneByOrFail({ id: req.referralId });
    await this.referrals.deliverToPartner(tx, r, partner, forPartner, at);
  }

  private async update(u: CrossBorderReferralUpdate, envelope: OpenedEnvelope, tx: EntityManager): Promise<void> {
    const r = await this.lifecycle.lock(tx, u.referralId);
    const side = r ? await this.link.sideOf(tx, r.id) : undefined;
    if (!r || !side || side.peerNode !== envelope.iss) throw new EnvelopeContentError('update of a referral this node does not share with the sender');
    const update = readUpdate(u, side.direction);
    if (!update) throw new EnvelopeContentError('update with codes the state machine does not know');
    const at = new Date();
    let applied = true;
    let referral = r;
    try {
      const { role, ...request } = update;
      const result = await tx.transaction((inner) => this.lifecycle.apply(inner, r, request, { role, clientId: `node:${envelope.iss}`, partnerId: u.actorPartnerId || envelope.iss }, {}, { fromPeer: true }));
      applied = result.changed;
      referral = result.referral;
    } catch (error) {
      // Out of order or already past it (the other side raced this one, e.g. a cancel and an accept crossing):
      // shown on the timeline as not applied, never retried forever.
      if (!(error instanceof ProblemException) || error.getStatus() >= 500) throw error;
      this.logger.warn({ referralId: r.id, action: update.action, status: r.status, from: envelope.iss }, 'cross-border update not applicable to the referral here');
      applied = false;
    }
    await this.audit.append(tx, {
      action: 'referral.cross-border-update-receive',
      objectType: 'referral',
      objectId: r.id,
      purpose: 'referral',
      actor: { subject: `node:${envelope.iss}`, clientId: `node:${envelope.iss}`, partnerId: envelope.iss },
      occurredAt: at,
    });
    await this.outbox.append(tx, {
      topic: Topics.referral.name,
      key: r.caseId,
      type: CrossBorderUpdateReceivedSchema.typeName,
      payload: encodeEvent(CrossBorderUpdateReceivedSchema, {
        referralId: r.id,
        caseId: r.caseId,
        fromNode: envelope.iss,
        envelopeId: envelope.jti,
        status: statusEnum(referral.status),
        reason: reasonEnum(update.reason),
        businessStatus: milestoneEnum(referral.businessStatus),
        outcome: outcomeEnum(update.outcome ?? null),
        applied,
        receivedAt: toTimestamp(at),
      }),
      time: at,
    });
  }
}
