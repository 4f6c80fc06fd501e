import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Caller } from '@puente/audit';
import { inJurisdiction } from '@puente/auth';
import { AvrStageDisbursedSchema, AvrStageKind, toTimestamp } from '@puente/contracts';
import { OutboxWriter } from '@puente/messaging';
import { ProblemException, ServiceConfig, validationProblem } from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { actorOf, reintegrationEvent } from '../common/events';
import { conflict, consentRequired } from '../problems';
import { PersonRegistry } from '../registry/registry.service';
import { type AvrStageKind as StageKind, decideStage, type PackageStatus, packageStatusOf, type StageAction, type StageStatus } from './avr-stages';
import { AvrExchangeLink } from './avr-exchange';
import type { AvrPackageDto, RequestAvrDto } from './avr.dto';

interface PackageRow {
  id: string;
  case_id: string;
  person_id: string;
  host_node: string;
  origin_node: string;
  status: PackageStatus;
  cancel_reason: string | null;
  jurisdiction: string;
  requested_at: Date;
  version: number;
  side: PackageSide;
  peer_node: string | null;
}

/** Where this copy of a package stands: requested and paid here, requested here and paid at the origin, or the origin's copy. */
export type PackageSide = 'local' | 'host' | 'origin';

interface StageRow {
  id: string;
  sequence: number;
  kind: StageKind;
  amount_minor: string;
  currency: string;
  planned_on: string;
  status: StageStatus;
  disbursed_at: Date | null;
  acknowledged_at: Date | null;
}

const notFound = () => new ProblemException(404, 'not-found', 'Not found', 'No such assisted voluntary return package (or not in your jurisdictions).');

const REFUSALS = {
  'already-done': 'The stage was paid (or acknowledged) already.',
  'earlier-stage-pending': 'Stages are paid out in order: an earlier stage is still planned.',
  'not-disbursed': 'A stage is acknowledged after it was paid out.',
  'package-closed': 'The package is completed or cancelled.',
} as const;

const CROSSING_REFUSALS = {
  'no-agreement': 'No agreement for assisted voluntary return with the origin node.',
  'no-consent': 'No reintegration_support consent in force for the person.',
  'protection-block': 'The person is protected from the origin node (fear of return, asylum claim or refugee status, origin = nationality): no assisted return toward it.',
  'nothing-sent': 'Nothing was sent.',
} as const;

/**
 * Assisted voluntary return packages on this node: requested with their stages (travel, grant
 * instalments, in-kind support), each stage paid out in order (AvrStageDisbursed) and
 * acknowledged; complete when every stage is acknowledged.
 */
@Injectable()
export class AvrService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly registry: PersonRegistry,
    private readonly config: ServiceConfig,
    private readonly clock: Clock,
    private readonly link: AvrExchangeLink,
  ) {}

  onModuleInit(): void {
    // Amounts and stages are no personal data, but nothing more is paid to an erased person.
    // A package requested here and paid at the origin is cancelled there too.
    this.registry.onPersonErased(async (tx, e) => {
      const cancelled: { id: string; case_id: string; side: PackageSide; peer_node: string | null }[] = await tx.query(
        `SELECT id, case_id, side, peer_node FROM avr_package WHERE person_id = $1 AND side <> 'origin' AND status IN ('requested', 'in_progress') ORDER BY id FOR UPDATE`,
        [e.personId],
      );
      await tx.query(`UPDATE avr_package SET status = 'cancelled', cancel_reason = 'person_erased', version = version + 1 WHERE id = ANY($1::uuid[])`, [cancelled.map((c) => c.id)]);
      for (const p of cancelled) {
        if (p.side === 'host' && p.peer_node) await this.link.sendCancel(tx, { id: p.id, caseId: p.case_id, peerNode: p.peer_node }, 'person_erased', e.at, e.traceparent);
      }
    });
  }

  async request(caller: Caller, dto: RequestAvrDto): Promise<AvrPackageDto> {
    const errors = dto.stages
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => Number.isNaN(new Date(`${s.plannedOn}T00:00:00Z`).getTime()) || new Date(`${s.plannedOn}T00:00:00Z`).toISOString().slice(0, 10) !== s.plannedOn)
      .map(({ i }) => ({ field: `stages[${i}].plannedOn`, message: 'plannedOn must be a real date', code: 'isDate' }));
    if (dto.hostNode === dto.originNode) errors.push({ field: 'originNode', message: 'must differ from hostNode', code: 'sameNode' });
    if (errors.length > 0) throw validationProblem(errors);
    const node = this.config.PUENTE_NODE;
    // Requested at the host and paid at the origin (sent there), or recorded at the origin and paid here.
    const side: PackageSide | null = dto.originNode === node ? 'local' : dto.hostNode === node ? 'host' : null;
    if (!side) {
      throw new ProblemException(422, 'avr-not-here', 'Not this node', `A package is requested at its host node or recorded at its origin node; this is node ${node}.`, {
        errors: [{ field: 'hostNode', message: `neither hostNode nor originNode is this node (${node})`, code: 'notThisNode' }],
      });
    }
    return this.ds.transaction(async (tx) => {
      const caseId = dto.caseId.toLowerCase();
      const personId = dto.personId.toLowerCase();
      const now = this.clock.now();
      const gap = await this.registry.consentGap(tx, caseId, personId, now);
      if (gap) throw consentRequired([{ field: 'personId', message: `no reintegration_support consent in force (${gap})`, code: gap }]);
      const jurisdiction = this.config.PUENTE_NODE;
      if (!inJurisdiction(caller.principal, jurisdiction)) throw notFound();
      const id = randomUUID();
      if (side === 'host') {
        const person = await this.registry.person(tx, personId);
        const stagesOut = dto.stages.map((s, i) => ({ ...s, sequence: i + 1 }));
        const refusal = await this.link.sendRequest(
          tx,
          { packageId: id, caseId, personId, originNode: dto.originNode, stages: stagesOut, requestedAt: now, traceparent: caller.traceparent },
          { nationality: person?.nationality ?? null, flags: person?.vulnerabilityFlags ?? [] },
        );
        // Nothing is written and nothing crosses: the transaction rolls back with the 409.
        if (refusal) {
          throw new ProblemException(409, 'avr-not-allowed', 'Assisted return not allowed', CROSSING_REFUSALS[refusal], {
            reason: refusal,
            errors: [{ field: 'originNode', message: CROSSING_REFUSALS[refusal], code: refusal }],
          });
        }
      }
      await tx.query(
        `INSERT INTO avr_package (id, case_id, person_id, host_node, origin_node, status, jurisdiction, requested_at, side, peer_node) VALUES ($1, $2, $3, $4, $5, 'requested', $6, $7, $8, $9)`,
        [id, caseId, personId, dto.hostNode, dto.originNode, jurisdiction, now, side, side === 'host' ? dto.originNode : null],
      );
      await tx.query(
        `INSERT INTO avr_stage (id, package_id, sequence, kind, amount_minor, currency, planned_on, status)
         SELECT gen_random_uuid(), $1, s.sequence, s.kind, s.amount_minor, s.currency, s.planned_on, 'planned'
           FROM jsonb_to_recordset($2::jsonb) AS s(sequence int, kind text, amount_minor bigint, currency text, planned_on date)`,
        [id, JSON.stringify(dto.stages.map((s, i) => ({ sequence: i + 1, kind: s.kind, amount_minor: s.amountMinor, currency: s.currency, planned_on: s.plannedOn })))],
      );
      return this.toDto(tx, id);
    });
  }

  async get(caller: Caller, packageId: string): Promise<AvrPackageDto> {
    await this.visible(this.ds.manager, caller, packageId);
    return this.toDto(this.ds.manager, packageId.toLowerCase());
  }

  /** Pays out (disburse: AvrStageDisbursed) or acknowledges one stage. */
  async act(caller: Caller, packageId: string, sequence: number, action: StageAction): Promise<AvrPackageDto> {
    return this.ds.transaction(async (tx) => {
      const pkg = await this.visible(tx, caller, packageId, true);
      // The origin owns the disbursements; the host's copy follows them.
      if (pkg.side === 'host') {
        throw conflict('paid-at-origin', 'Paid at the origin node', `This package is paid out and acknowledged at its origin node ${pkg.origin_node}; this copy follows it.`, [
          { field: 'sequence', message: `stages change at node ${pkg.origin_node}`, code: 'paid-at-origin' },
        ]);
      }
      const stages: StageRow[] = await tx.query(`SELECT *, to_char(planned_on, 'YYYY-MM-DD') AS planned_on FROM avr_stage WHERE package_id = $1 ORDER BY sequence`, [pkg.id]);
      const index = stages.findIndex((s) => s.sequence === sequence);
      if (index < 0) throw new ProblemException(404, 'not-found', 'Not found', 'The package has no stage with this sequence.');
      const decision = decideStage(pkg.status, stages.map((s) => s.status), index, action);
      if (!decision.ok) throw conflict(decision.reason, 'Stage refused', REFUSALS[decision.reason], [{ field: 'sequence', message: REFUSALS[decision.reason], code: decision.reason }]);
      const now = this.clock.now();
      const stage = stages[index];
      await tx.query(`UPDATE avr_stage SET status = $2, ${action === 'disburse' ? 'disbursed_at' : 'acknowledged_at'} = $3 WHERE id = $1`, [stage.id, decision.to, now]);
      const after = stages.map((s, i) => (i === index ? decision.to : s.status));
      await tx.query(`UPDATE avr_package SET status = $2, version = version + 1 WHERE id = $1`, [pkg.id, packageStatusOf(after)]);
      if (action === 'disburse') {
        await this.outbox.append(
          tx,
          reintegrationEvent(
            AvrStageDisbursedSchema,
            pkg.case_id,
            {
              packageId: pkg.id,
              caseId: pkg.case_id,
              stageId: stage.id,
              sequence: stage.sequence,
              kind: AvrStageKind[stage.kind.toUpperCase() as keyof typeof AvrStageKind],
              amountMinor: BigInt(stage.amount_minor),
              currency: stage.currency,
              disbursingNode: this.config.PUENTE_NODE,
              disbursedAt: toTimestamp(now),
              disbursedBy: actorOf(caller.principal, this.config.PUENTE_NODE),
            },
            { traceparent: caller.traceparent, time: now },
          ),
        );
      }
      if (pkg.side === 'origin') await this.link.sendStage(tx, { id: pkg.id, caseId: pkg.case_id, hostNode: pkg.host_node }, stage.sequence, decision.to === 'disbursed' ? 'disbursed' : 'acknowledged', now, caller.traceparent);
      return this.toDto(tx, pkg.id);
    });
  }

  private async visible(tx: EntityManager, caller: Caller, packageId: string, lock = false): Promise<PackageRow> {
    const rows: PackageRow[] = await tx.query(`SELECT * FROM avr_package WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [packageId.toLowerCase()]);
    if (rows.length === 0 || !inJurisdiction(caller.principal, rows[0].jurisdiction)) throw notFound();
    return rows[0];
  }

  private async toDto(tx: EntityManager, id: string): Promise<AvrPackageDto> {
    const [p]: PackageRow[] = await tx.query(`SELECT * FROM avr_package WHERE id = $1`, [id]);
    const stages: StageRow[] = await tx.query(`SELECT *, to_char(planned_on, 'YYYY-MM-DD') AS planned_on FROM avr_stage WHERE package_id = $1 ORDER BY sequence`, [id]);
    return {
      id: p.id,
      caseId: p.case_id,
      personId: p.person_id,
      hostNode: p.host_node,
      originNode: p.origin_node,
      status: p.status,
      cancelReason: p.cancel_reason,
      requestedAt: p.requested_at.toISOString(),
      version: p.version,
      side: p.side,
      peerNode: p.peer_node,
      stages: stages.map((s) => ({
        id: s.id,
        sequence: s.sequence,
        kind: s.kind,
        amountMinor: Number(s.amount_minor),
        currency: s.currency,
        plannedOn: s.planned_on,
        status: s.status,
        disbursedAt: s.disbursed_at?.toISOString() ?? null,
        acknowledgedAt: s.acknowledged_at?.toISOString() ?? null,
      })),
    };
  }
}
