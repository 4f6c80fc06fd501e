import { Injectable } from '@nestjs/common';
import { encodeEvent, Topics, toTimestamp } from '@puente/contracts';
import { OutboxWriter } from '@puente/messaging';
import { assertVersionUpdated, ServiceConfig } from '@puente/platform';
import type { EntityManager } from 'typeorm';
import { CrossBorderLink } from '../cross-border/cross-border-link';
import { DeliveryQueue } from '../delivery/delivery-queue';
import type { ClaimedDelivery, DeliveryOutcomes } from '../delivery/webhook-dispatcher';
import type { FailureKind } from '../delivery/webhook-sender';
import { DirectoryService } from '../directory/directory.service';
import { milestoneEnum, reasonEnum, statusEnum, type TransitionExtras, transitionEvent } from './referral-events';
import { noCapacityProblem, refusalProblem } from './referral-problems';
import { decide, isRepeat, type ReferralRole, type ReferralState, SLOT_HOLDING_STATUSES, type TransitionRequest } from './referral-state-machine';
import { ReferralEntity } from './referral.entities';

/** Who takes a transition: the role decides what is allowed; client and partner are recorded. */
export interface ActingParty {
  role: ReferralRole;
  clientId: string;
  partnerId: string;
  traceparent?: string;
}

/** Puente itself (delivery, SLA timers). */
export const SYSTEM: ActingParty = { role: 'system', clientId: 'system', partnerId: '' };

/** Actions the partner is told about when someone else takes them (it knows its own). */
const NOTIFY_PARTNER = new Set(['cancel', 'hold', 'resume', 'expire', 'mark_in_error']);

/** Statuses in which a referral keeps the program slot it reserved on accept. */
const KEEPS_SLOT = new Set([...SLOT_HOLDING_STATUSES, 'on_hold']);

export function stateOf(r: ReferralEntity): ReferralState {
  return { status: r.status, heldFrom: r.heldFrom, pathway: r.pathway, businessStatus: r.businessStatus };
}

/**
 * Applies one lifecycle transition to a referral the caller has locked, inside the caller's
 * transaction: the state machine decides, the program's slot is reserved or released, the row is
 * updated on its version, the transition is recorded with actor, time and reason, its event goes
 * to the outbox, and the partner's system is told when someone else moved its referral.
 * Also what the webhook dispatcher calls when a new referral's delivery succeeds or gives up.
 */
@Injectable()
export class ReferralLifecycle implements DeliveryOutcomes {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly config: ServiceConfig,
    private readonly directory: DirectoryService,
    private readonly queue: DeliveryQueue,
    private readonly crossBorder: CrossBorderLink,
  ) {}

  /** Locks and returns the referral (undefined when unknown). */
  async lock(tx: EntityManager, id: string): Promise<ReferralEntity | undefined> {
    return (await tx.getRepository(ReferralEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } })) ?? undefined;
  }

  async apply(
    tx: EntityManager,
    r: ReferralEntity,
    request: Omit<TransitionRequest, 'role'>,
    actor: ActingParty,
    extras: TransitionExtras = {},
    /** `fromPeer`: the transition was reported by the referral's other node (it is not sent back). */
    options: { fromPeer?: boolean } = {},
  ): Promise<{ referral: ReferralEntity; changed: boolean }> {
    const state = stateOf(r);
    const full: TransitionRequest = { ...request, role: actor.role };
    const decision = decide(state, full);
    if (!decision.ok) {
      // A repeated callback (the same acknowledgement, the same milestone), by a party allowed to
      // make it, answers with the referral as it is instead of a conflict.
      if (decision.code !== 'actor_not_allowed' && isRepeat(state, full)) return { referral: r, changed: false };
      throw refusalProblem(decision);
    }
    const next = decision.state;
    // A referral sent to another node's program: that node holds the slot and tells the partner.
    const side = await this.crossBorder.sideOf(tx, r.id);
    const hostedElsewhere = side?.direction === 'outbound';

    let slotReserved = r.slotReserved;
    if (!hostedElsewhere && !slotReserved && SLOT_HOLDING_STATUSES.includes(next.status)) {
      // One atomic statement: concurrent accepts queue on the program row, and `open_slots > 0`
      // (re-checked on the row each one finally updates) lets exactly as many through as there are slots.
      const [, reserved] = (await tx.query(`UPDATE directory_program SET open_slots = open_slots - 1 WHERE id = $1 AND open_slots > 0`, [r.programId])) as [unknown, number];
      if (reserved !== 1) throw noCapacityProblem(r.programId);
      slotReserved = true;
    } else if (slotReserved && !KEEPS_SLOT.has(next.status)) {
      await tx.query(`UPDATE directory_program SET open_slots = open_slots + 1 WHERE id = $1 AND open_slots < total_slots`, [r.programId]);
      slotReserved = false;
    }

    const at = new Date();
    const outcome = request.action === 'complete' ? (request.outcome ?? null) : r.outcome;
    assertVersionUpdated(
      await tx
        .createQueryBuilder()
        .update(ReferralEntity)
        .set({
          status: next.status,
          heldFrom: next.heldFrom,
          businessStatus: next.businessStatus,
          statusReason: request.reason,
          outcome,
          slotReserved,
          updatedAt: () => 'clock_timestamp()',
          version: () => 'version + 1',
        })
        .where('id = :id AND version = :version', { id: r.id, version: r.version })
        .execute(),
    );
    await tx.query(
      `INSERT INTO referral_transition (referral_id, action, from_status, to_status, reason, business_status, outcome, actor_role, actor_client, actor_partner, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [r.id, request.action, r.status, next.status, request.reason, next.businessStatus, request.action === 'complete' ? outcome : null, actor.role, actor.clientId, actor.partnerId, at],
    );
    const { schema, payload } = transitionEvent(
      request.action,
      {
        referralId: r.id,
        caseId: r.caseId,
        programId: r.programId,
        partnerId: r.partnerId,
        fromStatus: statusEnum(r.status),
        status: statusEnum(next.status),
        reason: reasonEnum(request.reason),
        businessStatus: milestoneEnum(next.businessStatus),
        at: toTimestamp(at),
        actor: { clientId: actor.clientId, partnerId: actor.partnerId, node: this.config.PUENTE_NODE },
      },
      { ...extras, outcome },
    );
    await this.outbox.append(tx, { topic: Topics.referral.name, key: r.caseId, type: schema.typeName, payload: encodeEvent(schema, payload as never), traceparent: actor.traceparent, time: at });

    if (side) await this.crossBorder.forward(tx, r, side, request, actor, options.fromPeer ?? false);

    if (!hostedElsewhere && actor.role !== 'partner' && NOTIFY_PARTNER.has(request.action)) {
      const partner = await this.directory.findPartner(r.partnerId, tx);
      if (partner) {
        await this.queue.enqueue(
          tx,
          partner,
          {
            type: `referral.${next.status}`,
            referralId: r.id,
            caseId: r.caseId,
            at,
            data: { referralId: r.id, status: next.status, statusReason: request.reason, businessStatus: next.businessStatus },
          },
          actor.traceparent,
        );
      }
    }
    return { referral: await tx.getRepository(ReferralEntity).findOneByOrFail({ id: r.id }), changed: true };
  }

  async delivered(tx: EntityManager, d: ClaimedDelivery): Promise<void> {
    if (d.eventType !== 'referral.requested') return;
    const r = await this.lock(tx, d.referralId);
    if (r?.status === 'requested') await this.apply(tx, r, { action: 'send', reason: 'webhook_delivered' }, SYSTEM, { channel: 'webhook' });
  }

  async gaveUp(tx: EntityManager, d: ClaimedDelivery, kind: FailureKind): Promise<void> {
    if (d.eventType !== 'referral.requested') return;
    const r = await this.lock(tx, d.referralId);
    const reason = kind === 'address_refused' ? 'endpoint_refused' : 'delivery_attempts_exhausted';
    if (r?.status === 'requested') await this.apply(tx, r, { action: 'fail', reason }, SYSTEM, { channel: 'webhook' });
  }
}
