import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { fromBinary } from '@bufbuild/protobuf';
import { AuditLog } from '@puente/audit';
import { type PlanClosed, PlanClosedSchema, Topics } from '@puente/contracts';
import { decideCrossing, EnvelopeContentError, type OpenedEnvelope, protectionOf } from '@puente/federation';
import { eventSource, OutboxWriter } from '@puente/messaging';
import { ServiceConfig } from '@puente/platform';
import type { EntityManager } from 'typeorm';
import { ReintegrationBorder } from '../federation/reintegration-federation';
import { PersonRegistry } from '../registry/registry.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Why a closed plan's outcome did not go to the referring center's node. */
export type OutcomeNotSent = 'no-agreement' | 'no-consent' | 'protection-block' | 'nothing-sent';

/**
 * A closed plan's outcome for a referring center on another node (kind `reintegration-outcome`):
 * the PlanClosed this node emitted, sealed to that node, where reintegration writes it on its own
 * `puente.reintegration.plan.v1` as this node's event, so the center's reception learns it like
 * a local outcome. Ids, codes and scores only; the protection block applies to every member.
 */
@Injectable()
export class PlanOutcomeLink implements OnModuleInit {
  private readonly logger = new Logger('PlanOutcomeLink');
  private readonly writers = new Map<string, OutboxWriter>();

  constructor(
    private readonly border: ReintegrationBorder,
    private readonly registry: PersonRegistry,
    private readonly audit: AuditLog,
    private readonly config: ServiceConfig,
  ) {}

  onModuleInit(): void {
    this.border.on('reintegration-outcome', (envelope, tx) => this.arrive(envelope, tx));
  }

  /**
   * Sends the outcome to `referringNode` when it is another node, in the closing transaction.
   * Null when it went (or needs not go); otherwise why not (the plan closes all the same).
   */
  async send(tx: EntityManager, o: { caseId: string; referringNode: string; memberIds: string[]; payload: Uint8Array; traceparent?: string }): Promise<OutcomeNotSent | null> {
    if (o.referringNode === this.config.PUENTE_NODE) return null;
    const link = this.border.toward(o.referringNode, 'reintegration-outcome');
    if (!link) return this.notSent('no-agreement');
    const agreement = link.registry.agreementWith(o.referringNode);
    for (const personId of o.memberIds) {
      const person = await this.registry.person(tx, personId);
      const subject = {
        nationality: person?.nationality ?? null,
        ...protectionOf(person?.vulnerabilityFlags ?? []),
        // Every member had a reintegration_support consent in force for the plan.
        consents: [{ purpose: 'reintegration_support' }],
        sentTo: [],
        overrides: [],
      };
      const decision = decideCrossing('reintegration-outcome', subject, agreement, []);
      if (!decision.allowed) return this.notSent(decision.reason);
    }
    await link.writer.send(tx, { to: o.referringNode, kind: 'reintegration-outcome', key: o.caseId, payload: o.payload, traceparent: o.traceparent });
    return null;
  }

  private notSent(reason: OutcomeNotSent): OutcomeNotSent {
    this.logger.log(`plan outcome not sent to the referring node: ${reason}`);
    return reason;
  }

  /** A peer's closed plan referred by one of this node's centers: told here as the peer's event. */
  private async arrive(envelope: OpenedEnvelope, tx: EntityManager): Promise<void> {
    let closed: PlanClosed;
    try {
      closed = fromBinary(PlanClosedSchema, envelope.payload);
    } catch {
      throw new EnvelopeContentError('not a puente.reintegration.v1.PlanClosed');
    }
    if (closed.referringNode !== this.config.PUENTE_NODE || !closed.referringCenterCode.startsWith(`${this.config.PUENTE_NODE}-`) || !UUID.test(closed.planId) || !UUID.test(closed.caseId)) {
      throw new EnvelopeContentError('plan outcome not for a center of this node');
    }
    let writer = this.writers.get(envelope.iss);
    if (!writer) {
      writer = new OutboxWriter(eventSource(envelope.iss, 'reintegration'));
      this.writers.set(envelope.iss, writer);
    }
    await writer.append(tx, { topic: Topics.reintegrationPlan.name, key: closed.caseId, type: PlanClosedSchema.typeName, payload: envelope.payload });
    await this.audit.append(tx, {
      action: 'plan.outcome-receive',
      objectType: 'plan',
      objectId: closed.planId,
      purpose: 'case-management',
      actor: { subject: `node:${envelope.iss}`, clientId: `node:${envelope.iss}`, partnerId: envelope.iss },
      traceparent: null,
      occurredAt: new Date(),
    });
  }
}
