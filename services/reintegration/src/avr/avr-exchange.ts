import { Injectable, type OnModuleInit } from '@nestjs/common';
import { create, fromBinary, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import { AuditLog } from '@puente/audit';
import { type AvrExchange, AvrExchangeSchema, AvrStageChange, AvrStageKind, fromTimestamp, toTimestamp } from '@puente/contracts';
import { checkArrival, EnvelopeContentError, EnvelopeRefusedError, type OpenedEnvelope, protectionOf, recordDeliveries } from '@puente/federation';
import { ServiceConfig } from '@puente/platform';
import type { EntityManager } from 'typeorm';
import { ReintegrationBorder } from '../federation/reintegration-federation';
import { decideAvrCrossing, type AvrPersonFacts } from './avr-border';
import { type AvrStageKind as StageKind, packageStatusOf, type StageStatus } from './avr-stages';

/** A package's stage as it crosses (payout order). */
export interface StagePlan {
  sequence: number;
  kind: StageKind;
  amountMinor: number;
  currency: string;
  plannedOn: string;
}

export type AvrCrossingRefusal = 'no-agreement' | 'no-consent' | 'protection-block' | 'nothing-sent';

const NODE_ACTOR = (node: string) => ({ subject: `node:${node}`, clientId: `node:${node}`, partnerId: node });

/**
 * Assisted voluntary return across nodes (kind `avr`): the host sends the request to the origin,
 * which owns the disbursements; the origin sends each stage paid out and acknowledged back, and
 * either side a cancellation. Every envelope is answered with a receipt (libs/federation), so
 * the sender sees each one applied. Ids, codes and amounts only.
 */
@Injectable()
export class AvrExchangeLink implements OnModuleInit {
  constructor(
    private readonly border: ReintegrationBorder,
    private readonly audit: AuditLog,
    private readonly config: ServiceConfig,
  ) {}

  onModuleInit(): void {
    this.border.on('avr', (envelope, tx) => this.arrive(envelope, tx));
  }

  /**
   * Sends a new package to its origin in the caller's transaction, or says why it may not go
   * (nothing is sent then, and the caller writes nothing).
   */
  async sendRequest(
    tx: EntityManager,
    p: { packageId: string; caseId: string; personId: string; originNode: string; stages: StagePlan[]; requestedAt: Date; traceparent?: string },
    person: AvrPersonFacts,
  ): Promise<AvrCrossingRefusal | null> {
    const link = this.border.toward(p.originNode, 'avr');
    if (!link) return 'no-agreement';
    const crossing = decideAvrCrossing(person, link.registry.agreementWith(p.originNode));
    if (!crossing.allowed) return crossing.reason;
    const protection = protectionOf(person.flags);
    const message = {
      case: 'request' as const,
      value: {
        packageId: p.packageId,
        caseId: p.caseId,
        personId: p.personId,
        hostNode: this.node,
        originNode: p.originNode,
        stages: p.stages.map((s) => ({ sequence: s.sequence, kind: kindOf(s.kind), amountMinor: BigInt(s.amountMinor), currency: s.currency, plannedOn: s.plannedOn })),
        requestedAt: toTimestamp(p.requestedAt),
        border: { nationality: person.nationality ?? '', ...protection, protectionFlags: [...protection.protectionFlags], protectionOverride: crossing.overridden },
      },
    };
    const [envelopeId] = await this.send(tx, p.originNode, p.caseId, message, p.traceparent);
    await recordDeliveries(tx, [{ receiverType: 'node', receiver: p.originNode, channel: 'avr', envelopeId, caseId: p.caseId, personId: p.personId, fields: [] }], p.requestedAt);
    return null;
  }

  /** Tells the host about a stage paid out or acknowledged here, at the origin. */
  async sendStage(tx: EntityManager, pkg: { id: string; caseId: string; hostNode: string }, sequence: number, change: 'disbursed' | 'acknowledged', at: Date, traceparent?: string): Promise<void> {
    await this.send(tx, pkg.hostNode, pkg.caseId, { case: 'stage', value: { packageId: pkg.id, caseId: pkg.caseId, sequence, change: change === 'disbursed' ? AvrStageChange.DISBURSED : AvrStageChange.ACKNOWLEDGED, at: toTimestamp(at) } }, traceparent);
  }

  /** Tells the other side a package was cancelled here. */
  async sendCancel(tx: EntityManager, pkg: { id: string; caseId: string; peerNode: string }, reason: string, at: Date, traceparent?: string): Promise<void> {
    await this.send(tx, pkg.peerNode, pkg.caseId, { case: 'cancel', value: { packageId: pkg.id, caseId: pkg.caseId, reason, at: toTimestamp(at) } }, traceparent);
  }

  private get node(): string {
    return this.config.PUENTE_NODE;
  }

  private async send(tx: EntityManager, to: string, caseId: string, message: MessageInitShape<typeof AvrExchangeSchema>['message'], traceparent?: string): Promise<string[]> {
    // A stage or cancellation goes to a package's other side even when the agreement changed since:
    // it answers what that node already holds. Without federation nothing can go.
    const writer = this.border.writer;
    if (!writer) return [];
    const payload = toBinary(AvrExchangeSchema, create(AvrExchangeSchema, { message }));
    return writer.send(tx, { to, kind: 'avr', key: caseId, payload, traceparent });
  }

  /** An `avr` envelope from a peer, applied in the receiver's transaction. */
  private async arrive(envelope: OpenedEnvelope, tx: EntityManager): Promise<void> {
    let exchange: AvrExchange;
    try {
      exchange = fromBinary(AvrExchangeSchema, envelope.payload);
    } catch {
      throw new EnvelopeContentError('avr payload is not an AvrExchange');
    }
    const m = exchange.message;
    const at = new Date();
    switch (m.case) {
      case 'request': {
        const r = m.value;
        if (r.originNode !== this.node || r.hostNode !== envelope.iss || !UUID.test(r.packageId) || !UUID.test(r.caseId) || !UUID.test(r.personId) || r.stages.length === 0) {
          throw new EnvelopeContentError('avr request not addressed to this node as origin');
        }
        const b = r.border;
        const registry = this.border.registry;
        if (!registry) throw new EnvelopeContentError('federation is off');
        const refusal = checkArrival(
          'avr',
          { fields: [], subject: { nationality: b?.nationality || null, fearOfReturn: !!b?.fearOfReturn, asylumClaim: !!b?.asylumClaim, protectionFlags: b?.protectionFlags ?? [] }, overridden: !!b?.protectionOverride },
          registry.arrivalAgreementWith(envelope.iss),
        );
        if (refusal) throw new EnvelopeRefusedError(refusal);
        const stages = r.stages.map((s, i) => ({ sequence: i + 1, kind: stageKindOf(s.kind), amount_minor: s.amountMinor.toString(), currency: s.currency, planned_on: s.plannedOn }));
        if (stages.some((s) => s.kind === null || !/^[A-Z]{3}$/.test(s.currency) || !/^\d{4}-\d{2}-\d{2}$/.test(s.planned_on) || BigInt(s.amount_minor) < 0n)) throw new EnvelopeContentError('avr stages malformed');
        const inserted: unknown[] = await tx.query(
          `INSERT INTO avr_package (id, case_id, person_id, host_node, origin_node, status, jurisdiction, requested_at, side, peer_node)
           VALUES ($1, $2, $3, $4, $5, 'requested', $5, $6, 'origin', $4) ON CONFLICT (id) DO NOTHING RETURNING 1`,
          [r.packageId, r.caseId, r.personId, r.hostNode, r.originNode, r.requestedAt ? fromTimestamp(r.requestedAt) : at],
        );
        if (inserted.length === 0) return;
        await tx.query(
          `INSERT INTO avr_stage (id, package_id, sequence, kind, amount_minor, currency, planned_on, status)
           SELECT gen_random_uuid(), $1, s.sequence, s.kind, s.amount_minor, s.currency, s.planned_on, 'planned'
             FROM jsonb_to_recordset($2::jsonb) AS s(sequence int, kind text, amount_minor bigint, currency text, planned_on date)`,
          [r.packageId, JSON.stringify(stages)],
        );
        await this.audited(tx, 'avr-package.cross-border-receive', r.packageId, envelope.iss, at);
        return;
      }
      case 'stage': {
        const u = m.value;
        const pkg = await this.sharedPackage(tx, u.packageId, envelope.iss, 'host');
        const to: StageStatus | null = u.change === AvrStageChange.DISBURSED ? 'disbursed' : u.change === AvrStageChange.ACKNOWLEDGED ? 'acknowledged' : null;
        if (!to) throw new EnvelopeContentError('avr stage change unspecified');
        const when = u.at ? fromTimestamp(u.at) : at;
        // The origin decided; its updates come in order on the case's partition. A copy already
        // applied (or a disbursement arriving after the acknowledgement) changes nothing.
        await tx.query(
          `UPDATE avr_stage SET status = $3, disbursed_at = COALESCE(disbursed_at, $4), acknowledged_at = CASE WHEN $3 = 'acknowledged' THEN $4 ELSE acknowledged_at END
            WHERE package_id = $1 AND sequence = $2 AND (status = 'planned' OR (status = 'disbursed' AND $3 = 'acknowledged'))`,
          [pkg.id, u.sequence, to, when],
        );
        if (pkg.status !== 'cancelled') {
          const rows: { status: StageStatus }[] = await tx.query(`SELECT status FROM avr_stage WHERE package_id = $1 ORDER BY sequence`, [pkg.id]);
          await tx.query(`UPDATE avr_package SET status = $2, version = version + 1 WHERE id = $1`, [pkg.id, packageStatusOf(rows.map((s) => s.status))]);
        }
        await this.audited(tx, 'avr-package.cross-border-update-receive', pkg.id, envelope.iss, at);
        return;
      }
      case 'cancel': {
        const c = m.value;
        const pkg = await this.sharedPackage(tx, c.packageId, envelope.iss, null);
        await tx.query(`UPDATE avr_package SET status = 'cancelled', cancel_reason = $2, version = version + 1 WHERE id = $1 AND status IN ('requested', 'in_progress')`, [
          pkg.id,
          /^[a-z_]{1,40}$/.test(c.reason) ? c.reason : 'cancelled_by_peer',
        ]);
        await this.audited(tx, 'avr-package.cross-border-update-receive', pkg.id, envelope.iss, at);
        return;
      }
      default:
        throw new EnvelopeContentError('avr exchange without a message');
    }
  }

  /** The package this node shares with `peer` (as `side`, or either side when null). */
  private async sharedPackage(tx: EntityManager, packageId: string, peer: string, side: 'host' | 'origin' | null): Promise<{ id: string; status: string }> {
    if (!UUID.test(packageId)) throw new EnvelopeContentError('avr package id is not a UUID');
    const [row]: { id: string; status: string }[] = await tx.query(
      `SELECT id, status FROM avr_package WHERE id = $1 AND peer_node = $2 AND ($3::text IS NULL OR side = $3) FOR UPDATE`,
      [packageId, peer, side],
    );
    if (!row) throw new EnvelopeContentError('no package shared with the sender');
    return row;
  }

  private async audited(tx: EntityManager, action: string, packageId: string, peer: string, at: Date): Promise<void> {
    await this.audit.append(tx, { action, objectType: 'avr-package', objectId: packageId, purpose: 'case-management', actor: NODE_ACTOR(peer), traceparent: null, occurredAt: at });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function kindOf(kind: StageKind): AvrStageKind {
  return AvrStageKind[kind.toUpperCase() as keyof typeof AvrStageKind];
}

function stageKindOf(kind: AvrStageKind): StageKind | null {
  return kind === AvrStageKind.TRAVEL ? 'travel' : kind === AvrStageKind.REINTEGRATION_GRANT ? 'reintegration_grant' : kind === AvrStageKind.IN_KIND ? 'in_kind' : null;
}
