import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Caller } from '@puente/audit';
import { inJurisdiction } from '@puente/auth';
import {
  FollowUpOverdueSchema,
  MilestoneReachedSchema,
  PlanClosedSchema,
  RemigrationFlaggedSchema,
  PlanCreatedSchema,
  PlanOrigin,
  PlanStatusChangedSchema,
  TaskCompletedSchema,
  toTimestamp,
} from '@puente/contracts';
import { OutboxWriter } from '@puente/messaging';
import {
  assertIfMatch,
  computeEtag,
  type FieldError,
  IF_MATCH_HEADER,
  isUniqueViolation,
  type Page,
  paginate,
  ProblemException,
  ServiceConfig,
  validationProblem,
} from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { actorOf, reintegrationEvent } from '../common/events';
import { conflict, consentRequired, ReintegrationProblemTypes, unknownCodes } from '../problems';
import { MINOR_AGE_BANDS, PersonRegistry, type PersonSeenAgain } from '../registry/registry.service';
import { SkillsProfiles } from '../skills/skills-profiles.service';
import type { TaskKind } from './codes';
import { FOLLOW_UP_GRACE_MS, isOverdue, type Milestone, milestoneDueDates } from './follow-ups';
import { PlanEntity } from './plan.entity';
import { PlanOutcomeLink } from './outcome-exchange';
import { milestoneEnum, planOutcomeEnum, planStatusEnum, scoresMessage, taskKindEnum } from './plan-events';
import { allowedActions, isClosed, outcomeFits, type PlanOutcome, type PlanStatus, transition } from './plan-state';
import { type AddMemberDto, type CompleteTaskDto, type CreatePlanDto, type CreateTaskDto, type FollowUpDto, type ListPlansQueryDto, type PlanDto, type PlanMemberInputDto, TASK_DETAILS, type TaskDto, type TransitionDto, type UpdatePlanDto } from './plans.dto';
import { answerIssues, type Scores, score } from './sustainability';

type Actor = Caller | null;

interface MemberRow {
  person_id: string;
  role: string;
  goals: string[];
  specific_needs: string[];
  erased_at: Date | null;
}

interface TaskRow {
  id: string;
  plan_id: string;
  person_id: string;
  kind: TaskKind;
  due_on: string;
  owner_kind: string;
  owner_program_id: string | null;
  details: Record<string, unknown>;
  status: string;
  created_at: Date;
  completed_at: Date | null;
}

interface FollowUpRow {
  id: string;
  plan_id: string;
  milestone: Milestone;
  due_at: Date;
  overdue_at: Date | null;
  recorded_at: Date | null;
  economic: string | null;
  social: string | null;
  psychosocial: string | null;
  composite: string | null;
}

const notFound = () => new ProblemException(404, 'not-found', 'Not found', 'No such plan (or not in your jurisdictions).');

function scoresOf(r: Pick<FollowUpRow, 'economic' | 'social' | 'psychosocial' | 'composite'>): Scores | null {
  return r.composite === null ? null : { economic: Number(r.economic), social: Number(r.social), psychosocial: Number(r.psychosocial), composite: Number(r.composite) };
}

export function planEtag(p: { id: string; version: number }): string {
  return computeEtag({ id: p.id, version: p.version });
}

/**
 * Reintegration plans: opened on a check-in or by a caseworker with a reintegration_support
 * consent in force for every member, moved through their status, with tasks and follow-ups.
 * Every write is one transaction with its events (outbox): nothing is half-written.
 */
@Injectable()
export class PlansService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly registry: PersonRegistry,
    private readonly config: ServiceConfig,
    private readonly clock: Clock,
    private readonly outcomes: PlanOutcomeLink,
    private readonly skills: SkillsProfiles,
  ) {}

  private actor(caller: Actor) {
    return actorOf(caller?.principal ?? null, this.config.PUENTE_NODE);
  }

  // ---- plans ----

  async create(caller: Caller, dto: CreatePlanDto): Promise<PlanDto> {
    const caseId = dto.caseId.toLowerCase();
    const members = dto.members.map((m) => ({ ...m, personId: m.personId.toLowerCase() }));
    const programIds = (dto.programIds ?? []).map((p) => p.toLowerCase());
    try {
      return await this.ds.transaction(async (tx) => {
        const now = this.clock.now();
        await this.assertKnownPrograms(tx, programIds, 'programIds');
        const gaps: FieldError[] = [];
        for (const [i, m] of members.entries()) {
          const gap = await this.registry.consentGap(tx, caseId, m.personId, now);
          if (gap) gaps.push({ field: `members[${i}].personId`, message: `no reintegration_support consent in force (${gap})`, code: gap });
        }
        if (gaps.length > 0) throw consentRequired(gaps);
        const center = dto.referringCenterCode ?? (await this.lastCheckInCenter(tx, caseId));
        // A center of another node referred the person: the plan is followed here, its outcome goes there.
        const jurisdiction = center && nodeOfCenter(center) === this.config.PUENTE_NODE ? center : this.config.PUENTE_NODE;
        if (!inJurisdiction(caller.principal, jurisdiction)) {
          throw new ProblemException(403, 'outside-jurisdiction', 'Outside your jurisdictions', 'The plan would be followed in a center or country outside your jurisdictions.', {
            errors: [{ field: 'referringCenterCode', message: 'must be a center in your jurisdictions', code: 'jurisdiction' }],
          });
        }
        if ((await tx.query(`SELECT 1 FROM plan WHERE case_id = $1 AND status IN ('draft', 'active', 'on_hold')`, [caseId])).length > 0) throw this.openPlanExists();
        const id = await this.insertPlan(tx, { caseId, origin: 'caseworker', center, jurisdiction, members, programIds, now, caller });
        return this.toDto(tx, await this.load(tx, id));
      });
    } catch (error) {
      // Two creations for one case at once: the unique index of open plans decides.
      if (isUniqueViolation(error)) throw this.openPlanExists();
      throw error;
    }
  }

  private openPlanExists(): ProblemException {
    return conflict(ReintegrationProblemTypes.ALREADY_EXISTS, 'Plan already open', 'The case already has an open plan (draft, active or on hold): change that one.', [
      { field: 'caseId', message: 'already has an open plan', code: 'alreadyExists' },
    ]);
  }

  private async insertPlan(
    tx: EntityManager,
    p: { caseId: string; origin: 'check_in' | 'caseworker'; center: string | null; jurisdiction: string; members: PlanMemberInputDto[]; programIds: string[]; now: Date; caller: Actor; traceparent?: string },
  ): Promise<string> {
    const id = randomUUID();
    await tx.query(
      `INSERT INTO plan (id, case_id, origin, status, referring_center_code, referring_node, jurisdiction, created_by, created_at)
       VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8)`,
      [id, p.caseId, p.origin, p.center, p.center ? nodeOfCenter(p.center) : this.config.PUENTE_NODE, p.jurisdiction, p.caller?.principal.clientId ?? 'system', p.now],
    );
    await tx.query(
      `INSERT INTO plan_member (plan_id, person_id, role, goals, specific_needs, position)
       SELECT $1, m.person_id, m.role, ARRAY(SELECT jsonb_array_elements_text(m.goals)), ARRAY(SELECT jsonb_array_elements_text(m.needs)), m.position
         FROM jsonb_to_recordset($2::jsonb) AS m(person_id uuid, role text, goals jsonb, needs jsonb, position int)`,
      [id, JSON.stringify(p.members.map((m, i) => ({ person_id: m.personId, role: m.role, goals: m.goals, needs: m.specificNeeds ?? [], position: i })))],
    );
    if (p.programIds.length > 0) await tx.query(`INSERT INTO plan_program (plan_id, program_id) SELECT $1, unnest($2::text[])`, [id, p.programIds]);
    await this.outbox.append(
      tx,
      reintegrationEvent(
        PlanCreatedSchema,
        p.caseId,
        {
          planId: id,
          caseId: p.caseId,
          origin: p.origin === 'check_in' ? PlanOrigin.CHECK_IN : PlanOrigin.CASEWORKER,
          memberPersonIds: p.members.map((m) => m.personId),
          referringCenterCode: p.center ?? '',
          referringNode: p.center ? nodeOfCenter(p.center) : this.config.PUENTE_NODE,
          createdAt: toTimestamp(p.now),
          createdBy: this.actor(p.caller),
        },
        { traceparent: p.traceparent ?? p.caller?.traceparent, time: p.now },
      ),
    );
    return id;
  }

  private async lastCheckInCenter(tx: EntityManager, caseId: string): Promise<string | null> {
    const rows: { center_code: string }[] = await tx.query(`SELECT center_code FROM check_in WHERE case_id = $1 ORDER BY checked_in_at DESC LIMIT 1`, [caseId]);
    return rows[0]?.center_code ?? null;
  }

  private async assertKnownPrograms(tx: EntityManager, programIds: string[], field: string): Promise<void> {
    if (programIds.length === 0) return;
    const known: { program_id: string }[] = await tx.query(`SELECT program_id FROM program_record WHERE program_id = ANY($1::text[]) AND status = 'active'`, [programIds]);
    const ok = new Set(known.map((k) => k.program_id));
    const errors: FieldError[] = [];
    programIds.forEach((p, i) => {
      if (!ok.has(p)) errors.push({ field: `${field}[${i}]`, message: "is not an active program of referral-routing's directory", code: 'unknownProgram' });
    });
    if (errors.length > 0) throw unknownCodes(errors);
  }

  /**
   * On a check-in (or a reintegration_support consent recorded after it): a draft plan for the
   * person, referred by the center, unless the case already has an open plan or no consent is in
   * force yet (the check-in waits for the consent).
   */
  async openFromCheckIn(tx: EntityManager, caseId: string, personId: string, at: Date, traceparent?: string): Promise<string | null> {
    // The check-in and the consent come on two topics, applied in two transactions at once: each
    // writes its row, then waits here for the other to commit, so the later one sees both rows
    // (READ COMMITTED: each statement below reads what committed before it) and opens the plan.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('reintegration.plan-from-check-in:' || $1, 0))`, [caseId]);
    const pending: { arrival_id: string; center_code: string }[] = await tx.query(
      `SELECT arrival_id, center_code FROM check_in WHERE case_id = $1 AND person_id = $2 AND plan_id IS NULL ORDER BY checked_in_at DESC LIMIT 1 FOR UPDATE`,
      [caseId, personId],
    );
    if (pending.length === 0) return null;
    // A consent given at the desk is recorded at intake a moment after the check-in's time, and its
    // event may be read before the check-in's: ask whether one is in force now, not at the check-in.
    const consentAt = new Date(Math.max(at.getTime(), this.clock.now().getTime()));
    if ((await this.registry.consentGap(tx, caseId, personId, consentAt)) !== null) return null;
    const open: { id: string }[] = await tx.query(`SELECT id FROM plan WHERE case_id = $1 AND status IN ('draft', 'active', 'on_hold')`, [caseId]);
    const planId =
      open[0]?.id ??
      (await this.insertPlan(tx, {
        caseId,
        origin: 'check_in',
        center: pending[0].center_code,
        jurisdiction: pending[0].center_code,
        members: [{ personId, role: 'principal', goals: [] }],
        programIds: [],
        now: at,
        caller: null,
        traceparent,
      }));
    await tx.query(`UPDATE check_in SET plan_id = $2 WHERE arrival_id = $1`, [pending[0].arrival_id, planId]);
    return planId;
  }

  async get(caller: Caller, planId: string): Promise<PlanDto> {
    const plan = await this.visible(this.ds.manager, caller, planId);
    return this.toDto(this.ds.manager, plan);
  }

  async list(caller: Caller, query: ListPlansQueryDto): Promise<Page<PlanDto>> {
    const jurisdictions = caller.principal.jurisdictions;
    const countries = jurisdictions.filter((j) => /^[A-Z]{2}$/.test(j));
    const qb = this.ds
      .getRepository(PlanEntity)
      .createQueryBuilder('p')
      .where('(p.jurisdiction = ANY(:jurisdictions) OR split_part(p.jurisdiction, \'-\', 1) = ANY(:countries))', { jurisdictions: [...jurisdictions], countries });
    if (query.caseId) qb.andWhere('p.case_id = :caseId', { caseId: query.caseId.toLowerCase() });
    if (query.status) qb.andWhere('p.status = :status', { status: query.status });
    const page = await paginate(qb, {
      limit: query.limit,
      cursor: query.cursor,
      sort: [
        { column: 'p.created_at', key: 't', type: 'timestamp' },
        { column: 'p.id', key: 'id' },
      ],
      scope: `plans?caseId=${query.caseId ?? ''}&status=${query.status ?? ''}`,
    });
    const items: PlanDto[] = [];
    for (const p of page.items) items.push(await this.toDto(this.ds.manager, p));
    return { items, nextCursor: page.nextCursor };
  }

  /** The plan if it exists and the caller's jurisdictions cover it; 404 otherwise (its existence does not leak). */
  private async visible(tx: EntityManager, caller: Caller, planId: string, lock = false): Promise<PlanEntity> {
    const plan = await tx.getRepository(PlanEntity).findOne({ where: { id: planId.toLowerCase() }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!plan || !inJurisdiction(caller.principal, plan.jurisdiction)) throw notFound();
    return plan;
  }

  private async load(tx: EntityManager, planId: string): Promise<PlanEntity> {
    return tx.getRepository(PlanEntity).findOneOrFail({ where: { id: planId } });
  }

  private async toDto(tx: EntityManager, p: PlanEntity): Promise<PlanDto> {
    const members: MemberRow[] = await tx.query(`SELECT person_id, role, goals, specific_needs, erased_at FROM plan_member WHERE plan_id = $1 ORDER BY position`, [p.id]);
    const programs: { program_id: string }[] = await tx.query(`SELECT program_id FROM plan_program WHERE plan_id = $1 ORDER BY program_id`, [p.id]);
    const remigration: { person_id: string; seen_at_node: string; flagged_at: Date }[] = await tx.query(
      `SELECT person_id, seen_at_node, min(flagged_at) AS flagged_at FROM plan_remigration WHERE plan_id = $1 GROUP BY person_id, seen_at_node ORDER BY 3, 1`,
      [p.id],
    );
    return {
      id: p.id,
      caseId: p.caseId,
      origin: p.origin,
      status: p.status,
      outcome: p.outcome,
      referringCenterCode: p.referringCenterCode,
      referringNode: p.referringNode,
      members: members.map((m) => ({ personId: m.person_id, role: m.role, goals: m.goals, specificNeeds: m.specific_needs, erased: m.erased_at !== null })),
      programIds: programs.map((x) => x.program_id),
      remigration: remigration.map((r) => ({ personId: r.person_id, seenAtNode: r.seen_at_node, flaggedAt: new Date(r.flagged_at).toISOString() })),
      allowedActions: allowedActions(p.status),
      createdAt: p.createdAt.toISOString(),
      activatedAt: p.activatedAt?.toISOString() ?? null,
      closedAt: p.closedAt?.toISOString() ?? null,
      version: p.version,
    };
  }

  /** Changes members' goals and needs and the programs of an open plan, at the version the caller read (If-Match). */
  async update(caller: Caller, planId: string, dto: UpdatePlanDto): Promise<PlanDto> {
    return this.ds.transaction(async (tx) => {
      const plan = await this.visible(tx, caller, planId, true);
      assertIfMatch(caller.request, planEtag(plan));
      this.assertOpen(plan);
      const members: MemberRow[] = await tx.query(`SELECT person_id, erased_at FROM plan_member WHERE plan_id = $1`, [plan.id]);
      const live = new Set(members.filter((m) => !m.erased_at).map((m) => m.person_id));
      const errors: FieldError[] = [];
      (dto.members ?? []).forEach((m, i) => {
        if (!live.has(m.personId.toLowerCase())) errors.push({ field: `members[${i}].personId`, message: 'is not a member of this plan', code: 'notAMember' });
      });
      if (errors.length > 0) throw unknownCodes(errors);
      const programIds = dto.programIds?.map((p) => p.toLowerCase());
      if (programIds) {
        await this.assertKnownPrograms(tx, programIds, 'programIds');
        const owning: { owner_program_id: string }[] = await tx.query(
          `SELECT DISTINCT owner_program_id FROM plan_task WHERE plan_id = $1 AND status = 'open' AND owner_program_id IS NOT NULL AND NOT (owner_program_id = ANY($2::text[]))`,
          [plan.id, programIds],
        );
        if (owning.length > 0) {
          throw conflict('program-owns-tasks', 'Program owns open tasks', 'A program that owns open tasks stays assigned until they are completed or reassigned.', [
            { field: 'programIds', message: `must keep ${owning.map((o) => o.owner_program_id).join(', ')}`, code: 'programOwnsTasks' },
          ]);
        }
        await tx.query(`DELETE FROM plan_program WHERE plan_id = $1`, [plan.id]);
        if (programIds.length > 0) await tx.query(`INSERT INTO plan_program (plan_id, program_id) SELECT $1, unnest($2::text[])`, [plan.id, programIds]);
      }
      for (const m of dto.members ?? []) {
        await tx.query(`UPDATE plan_member SET goals = COALESCE($3::text[], goals), specific_needs = COALESCE($4::text[], specific_needs) WHERE plan_id = $1 AND person_id = $2`, [
          plan.id,
          m.personId.toLowerCase(),
          m.goals ?? null,
          m.specificNeeds ?? null,
        ]);
      }
      await tx.query(`UPDATE plan SET version = version + 1, updated_at = clock_timestamp() WHERE id = $1`, [plan.id]);
      return this.toDto(tx, await this.load(tx, plan.id));
    });
  }

  /** Adds a household member to an open plan (with a reintegration_support consent in force, like at creation). */
  async addMember(caller: Caller, planId: string, dto: AddMemberDto): Promise<PlanDto> {
    return this.ds.transaction(async (tx) => {
      const plan = await this.visible(tx, caller, planId, true);
      this.assertOpen(plan);
      const personId = dto.personId.toLowerCase();
      const gap = await this.registry.consentGap(tx, plan.caseId, personId, this.clock.now());
      if (gap) throw consentRequired([{ field: 'personId', message: `no reintegration_support consent in force (${gap})`, code: gap }]);
      const added = await tx.query(
        `INSERT INTO plan_member (plan_id, person_id, role, goals, specific_needs, position)
         SELECT $1, $2, $3, $4::text[], $5::text[], COALESCE(max(position) + 1, 0) FROM plan_member WHERE plan_id = $1
         ON CONFLICT (plan_id, person_id) DO NOTHING RETURNING person_id`,
        [plan.id, personId, dto.role, dto.goals, dto.specificNeeds ?? []],
      );
      if (added.length === 0) throw conflict(ReintegrationProblemTypes.ALREADY_EXISTS, 'Already a member', 'The person is a member of this plan already.', [{ field: 'personId', message: 'is already a member', code: 'alreadyExists' }]);
      await tx.query(`UPDATE plan SET version = version + 1, updated_at = clock_timestamp() WHERE id = $1`, [plan.id]);
      return this.toDto(tx, await this.load(tx, plan.id));
    });
  }

  /** Moves a plan through its status (409 invalid-transition otherwise). */
  async transition(caller: Caller, planId: string, dto: TransitionDto): Promise<PlanDto> {
    return this.ds.transaction(async (tx) => {
      const plan = await this.visible(tx, caller, planId, true);
      if (caller.request.headers[IF_MATCH_HEADER.toLowerCase()] !== undefined) assertIfMatch(caller.request, planEtag(plan));
      const t = transition(plan.status, dto.action);
      if (!t.ok) {
        throw conflict(ReintegrationProblemTypes.INVALID_TRANSITION, 'Invalid transition', `A ${plan.status} plan cannot ${dto.action}.`, [
          { field: 'action', message: t.allowed.length ? `must be one of ${t.allowed.join(', ')}` : 'the plan is closed', code: 'invalidTransition' },
        ]);
      }
      if ((t.to === 'completed' || t.to === 'dropped') && !outcomeFits(t.to, dto.outcome ?? '')) {
        throw new ProblemException(422, 'invalid-outcome', 'Invalid outcome', `This outcome does not fit a ${t.to} plan.`, {
          errors: [{ field: 'outcome', message: `must be one of the outcomes of a ${t.to} plan`, code: 'invalidOutcome' }],
        });
      }
      const now = this.clock.now();
      if (t.to === 'completed' || t.to === 'dropped') {
        await this.close(tx, plan, t.to, dto.outcome as PlanOutcome, now, caller, caller.traceparent);
      } else {
        await this.changeStatus(tx, plan, t.to, now, caller);
      }
      return this.toDto(tx, await this.load(tx, plan.id));
    });
  }

  private async changeStatus(tx: EntityManager, plan: PlanEntity, to: PlanStatus, now: Date, caller: Caller): Promise<void> {
    const firstActivation = to === 'active' && plan.activatedAt === null;
    await tx.query(`UPDATE plan SET status = $2, activated_at = COALESCE(activated_at, $3), version = version + 1, updated_at = clock_timestamp() WHERE id = $1`, [
      plan.id,
      to,
      to === 'active' ? now : null,
    ]);
    // Milestones count from the first activation; a resumed plan keeps its dates.
    if (firstActivation) {
      const due = milestoneDueDates(now);
      await tx.query(`INSERT INTO follow_up (id, plan_id, milestone, due_at) SELECT gen_random_uuid(), $1, m, d FROM unnest($2::text[], $3::timestamptz[]) AS x(m, d)`, [
        plan.id,
        due.map((d) => d.milestone),
        due.map((d) => d.dueAt),
      ]);
    }
    await this.outbox.append(
      tx,
      reintegrationEvent(
        PlanStatusChangedSchema,
        plan.caseId,
        { planId: plan.id, caseId: plan.caseId, from: planStatusEnum(plan.status), to: planStatusEnum(to), changedAt: toTimestamp(now), changedBy: this.actor(caller) },
        { traceparent: caller.traceparent, time: now },
      ),
    );
  }

  /** Closes a plan (completed or dropped) with its outcome; open tasks are cancelled; PlanClosed tells the referring center. */
  private async close(tx: EntityManager, plan: PlanEntity, to: 'completed' | 'dropped', outcome: PlanOutcome, now: Date, caller: Actor, traceparent?: string): Promise<void> {
    await tx.query(`UPDATE plan SET status = $2, outcome = $3, closed_at = $4, version = version + 1, updated_at = clock_timestamp() WHERE id = $1`, [plan.id, to, outcome, now]);
    await tx.query(`UPDATE plan_task SET status = 'cancelled' WHERE plan_id = $1 AND status = 'open'`, [plan.id]);
    const last: FollowUpRow[] = await tx.query(
      `SELECT economic, social, psychosocial, composite FROM follow_up WHERE plan_id = $1 AND recorded_at IS NOT NULL ORDER BY recorded_at DESC LIMIT 1`,
      [plan.id],
    );
    const closed = {
      planId: plan.id,
      caseId: plan.caseId,
      status: planStatusEnum(to),
      outcome: planOutcomeEnum(outcome),
      lastScores: scoresMessage(last[0] ? scoresOf(last[0]) : null),
      referringCenterCode: plan.referringCenterCode ?? '',
      referringNode: plan.referringNode,
      closedAt: toTimestamp(now),
      closedBy: this.actor(caller),
    };
    const event = reintegrationEvent(PlanClosedSchema, plan.caseId, closed, { traceparent: traceparent ?? caller?.traceparent, time: now });
    await this.outbox.append(tx, event);
    // A center on another node learns the outcome through federation (the same PlanClosed, sealed).
    if (plan.referringCenterCode) {
      const members: { person_id: string }[] = await tx.query(`SELECT person_id FROM plan_member WHERE plan_id = $1 ORDER BY position`, [plan.id]);
      await this.outcomes.send(tx, { caseId: plan.caseId, referringNode: plan.referringNode, memberIds: members.map((m) => m.person_id), payload: event.payload, traceparent: event.traceparent });
    }
  }

  // ---- re-migration (the registry's hook, in the consumer's transaction) ----

  /**
   * A person registered again at an MRC (here or at another node): every active or completed plan
   * they are a member of is flagged once per duplicate record (RemigrationFlagged). A draft, on-hold
   * or dropped plan is not: the person had not been followed as reintegrating.
   */
  async flagRemigration(tx: EntityManager, e: PersonSeenAgain): Promise<void> {
    const duplicateId = e.duplicateId.slice(0, 64) || 'unknown';
    const flagged: { plan_id: string; case_id: string; person_id: string; status: PlanStatus }[] = await tx.query(
      `INSERT INTO plan_remigration (plan_id, person_id, duplicate_id, seen_at_node, flagged_at)
       SELECT p.id, m.person_id, $2, $3, $4 FROM plan p JOIN plan_member m ON m.plan_id = p.id
        WHERE m.person_id = ANY($1::uuid[]) AND m.erased_at IS NULL AND p.status IN ('active', 'completed')
       ON CONFLICT DO NOTHING
       RETURNING plan_id, (SELECT case_id FROM plan WHERE id = plan_id) AS case_id, person_id, (SELECT status FROM plan WHERE id = plan_id) AS status`,
      [e.personIds, duplicateId, e.seenAtNode, e.at],
    );
    for (const f of flagged) {
      await this.outbox.append(
        tx,
        reintegrationEvent(
          RemigrationFlaggedSchema,
          f.case_id,
          { planId: f.plan_id, caseId: f.case_id, personId: f.person_id, seenAtNode: e.seenAtNode, duplicateId, planStatus: planStatusEnum(f.status), flaggedAt: toTimestamp(e.at) },
          { traceparent: e.traceparent, time: e.at },
        ),
      );
    }
  }

  // ---- erasure and withdrawn consent (the registry's hooks, in the consumer's transaction) ----

  /**
   * Erases what the plans hold about the person: their goals and needs, their tasks (school,
   * certificates), and the follow-up answers of plans left without anyone; a plan with no member
   * left is dropped with outcome person_erased.
   */
  async erasePerson(tx: EntityManager, personId: string, at: Date, traceparent?: string): Promise<void> {
    const plans: { plan_id: string }[] = await tx.query(`SELECT plan_id FROM plan_member WHERE person_id = $1 ORDER BY plan_id`, [personId]);
    await tx.query(`UPDATE plan_member SET goals = '{}', specific_needs = '{}', erased_at = COALESCE(erased_at, $2) WHERE person_id = $1`, [personId, at]);
    await tx.query(`DELETE FROM plan_task WHERE person_id = $1`, [personId]);
    await tx.query(`DELETE FROM check_in WHERE person_id = $1`, [personId]);
    for (const { plan_id: planId } of plans) {
      const left = await tx.query(`SELECT 1 FROM plan_member WHERE plan_id = $1 AND erased_at IS NULL`, [planId]);
      if (left.length > 0) continue;
      await tx.query(`UPDATE follow_up SET answers = NULL WHERE plan_id = $1`, [planId]);
      const plan = await tx.getRepository(PlanEntity).findOne({ where: { id: planId }, lock: { mode: 'pessimistic_write' } });
      if (plan && !isClosed(plan.status)) await this.close(tx, plan, 'dropped', 'person_erased', at, null, traceparent);
    }
  }

  /** A member's last reintegration_support consent ended: an open plan with no member still consenting is dropped (consent_withdrawn). */
  async consentEnded(tx: EntityManager, caseId: string, personId: string, at: Date, traceparent?: string): Promise<void> {
    const plans: PlanEntity[] = await tx
      .getRepository(PlanEntity)
      .createQueryBuilder('p')
      .setLock('pessimistic_write')
      .where(`p.case_id = :caseId AND p.status IN ('draft', 'active', 'on_hold')`, { caseId })
      .andWhere('EXISTS (SELECT 1 FROM plan_member m WHERE m.plan_id = p.id AND m.person_id = :personId)', { personId })
      .getMany();
    for (const plan of plans) {
      const members: { person_id: string }[] = await tx.query(`SELECT person_id FROM plan_member WHERE plan_id = $1 AND erased_at IS NULL`, [plan.id]);
      let anyConsent = false;
      for (const m of members) if ((await this.registry.consentGap(tx, caseId, m.person_id, at)) === null) anyConsent = true;
      if (!anyConsent) await this.close(tx, plan, 'dropped', 'consent_withdrawn', at, null, traceparent);
    }
  }

  // ---- tasks ----

  async addTask(caller: Caller, planId: string, dto: CreateTaskDto): Promise<TaskDto> {
    const misplaced = Object.entries(TASK_DETAILS).filter(([kind, field]) => kind !== dto.kind && dto[field] !== undefined);
    if (misplaced.length > 0) throw validationProblem(misplaced.map(([kind, field]) => ({ field, message: `${field} is only for ${kind} tasks`, code: 'notForKind' })));
    return this.ds.transaction(async (tx) => {
      const plan = await this.visible(tx, caller, planId, true);
      this.assertOpen(plan);
      const personId = dto.personId.toLowerCase();
      const member: MemberRow[] = await tx.query(`SELECT person_id, erased_at FROM plan_member WHERE plan_id = $1 AND person_id = $2`, [plan.id, personId]);
      if (member.length === 0 || member[0].erased_at) {
        throw new ProblemException(422, 'not-a-member', 'Not a member of the plan', 'A task is for one of the plan\'s members.', {
          errors: [{ field: 'personId', message: 'is not a member of this plan', code: 'notAMember' }],
        });
      }
      const errors: FieldError[] = [];
      if (dto.owner.kind === 'partner_program') {
        const assigned = await tx.query(`SELECT 1 FROM plan_program WHERE plan_id = $1 AND program_id = $2`, [plan.id, (dto.owner.programId ?? '').toLowerCase()]);
        if (assigned.length === 0) errors.push({ field: 'owner.programId', message: "is not one of the plan's programs", code: 'unknownProgram' });
      }
      if (dto.kind === 'school_enrollment') {
        const person = await this.registry.person(tx, personId);
        if (person?.ageBand && person.ageBand !== 'unknown' && !MINOR_AGE_BANDS.includes(person.ageBand)) {
          errors.push({ field: 'personId', message: 'school re-enrollment is for minors', code: 'notAMinor' });
        }
      }
      if (errors.length > 0) throw unknownCodes(errors);
      if (dto.socialProgram) await this.assertKnownPrograms(tx, [dto.socialProgram.programId.toLowerCase()], 'socialProgram.programId');
      const certificateId = dto.certificate?.certificateId?.toLowerCase();
      if (certificateId) {
        await this.skills.requirePendingCertificate(tx, caller, personId, certificateId, 'certificate.certificateId');
        const open: { id: string }[] = await tx.query(
          `SELECT id FROM plan_task WHERE kind = 'certificate_validation' AND status = 'open' AND details -> 'certificate' ->> 'certificateId' = $1`,
          [certificateId],
        );
        if (open.length > 0) {
          throw conflict('certificate-has-task', 'Certificate has a validation task', 'This certificate already has an open validation task.', [
            { field: 'certificate.certificateId', message: `has open task ${open[0].id}`, code: 'certificateHasTask' },
          ]);
        }
      }
      const day = new Date(`${dto.dueOn}T00:00:00Z`);
      if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== dto.dueOn) throw validationProblem([{ field: 'dueOn', message: 'dueOn must be a real date', code: 'isDate' }]);
      const details = this.detailsOf(dto);
      const now = this.clock.now();
      const id = randomUUID();
      await tx.query(
        `INSERT INTO plan_task (id, plan_id, person_id, kind, due_on, owner_kind, owner_program_id, details, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9)`,
        [id, plan.id, personId, dto.kind, dto.dueOn, dto.owner.kind, dto.owner.programId?.toLowerCase() ?? null, JSON.stringify({ ...details, ...(dto.owner.staffId ? { staffId: dto.owner.staffId } : {}) }), now],
      );
      await tx.query(`UPDATE plan SET version = version + 1, updated_at = clock_timestamp() WHERE id = $1`, [plan.id]);
      return this.taskDto((await tx.query(`SELECT * FROM plan_task WHERE id = $1`, [id]))[0]);
    });
  }

  private detailsOf(dto: CreateTaskDto): Record<string, unknown> {
    switch (dto.kind) {
      case 'school_enrollment':
        return { school: { ...dto.school } };
      case 'certificate_validation':
        return { certificate: { ...dto.certificate, ...(dto.certificate?.certificateId && { certificateId: dto.certificate.certificateId.toLowerCase() }) } };
      case 'psychosocial_session':
        return { psychosocial: { ...dto.psychosocial } };
      case 'housing':
        return { housing: { ...dto.housing } };
      case 'social_program_enrollment':
        return { socialProgram: { programId: dto.socialProgram?.programId.toLowerCase() } };
      default:
        return {};
    }
  }

  private taskDto(r: TaskRow): TaskDto {
    const { staffId, ...details } = r.details as { staffId?: string } & Record<string, unknown>;
    return {
      id: r.id,
      planId: r.plan_id,
      personId: r.person_id,
      kind: r.kind,
      dueOn: typeof r.due_on === 'string' ? r.due_on : new Date(r.due_on).toISOString().slice(0, 10),
      owner: { kind: r.owner_kind, ...(staffId ? { staffId } : {}), ...(r.owner_program_id ? { programId: r.owner_program_id } : {}) },
      details,
      status: r.status,
      createdAt: r.created_at.toISOString(),
      completedAt: r.completed_at?.toISOString() ?? null,
    };
  }

  async tasks(caller: Caller, planId: string): Promise<TaskDto[]> {
    const plan = await this.visible(this.ds.manager, caller, planId);
    const rows: TaskRow[] = await this.ds.query(`SELECT *, to_char(due_on, 'YYYY-MM-DD') AS due_on FROM plan_task WHERE plan_id = $1 ORDER BY plan_task.due_on, plan_task.created_at, plan_task.id`, [plan.id]);
    return rows.map((r) => this.taskDto(r));
  }

  async completeTask(caller: Caller, planId: string, taskId: string, dto: CompleteTaskDto = {}): Promise<TaskDto> {
    return this.ds.transaction(async (tx) => {
      const plan = await this.visible(tx, caller, planId, true);
      // A linked certificate's profile is locked before the task row, as a profile change (which cancels tasks) does.
      const [peek]: Pick<TaskRow, 'person_id' | 'kind' | 'details'>[] = await tx.query(`SELECT person_id, kind, details FROM plan_task WHERE id = $1 AND plan_id = $2`, [taskId.toLowerCase(), plan.id]);
      const certificateId = peek?.kind === 'certificate_validation' ? (peek.details as { certificate?: { certificateId?: string } }).certificate?.certificateId : undefined;
      if (certificateId) await this.skills.lockProfile(tx, peek.person_id);
      const rows: TaskRow[] = await tx.query(`SELECT *, to_char(due_on, 'YYYY-MM-DD') AS due_on FROM plan_task WHERE id = $1 AND plan_id = $2 FOR UPDATE`, [taskId.toLowerCase(), plan.id]);
      if (rows.length === 0) throw new ProblemException(404, 'not-found', 'Not found', 'No such task on this plan.');
      const task = rows[0];
      if (task.status !== 'open') {
        throw conflict(ReintegrationProblemTypes.ALREADY_COMPLETED, 'Task not open', `The task is ${task.status}.`, [{ field: 'taskId', message: `is ${task.status}`, code: 'taskNotOpen' }]);
      }
      this.assertOpen(plan);
      if (certificateId && !dto.certificateOutcome) {
        throw validationProblem([{ field: 'certificateOutcome', message: 'certificateOutcome (validated or rejected) is required to complete a certificate validation', code: 'isDefined' }]);
      }
      if (!certificateId && dto.certificateOutcome) {
        throw validationProblem([{ field: 'certificateOutcome', message: 'certificateOutcome is only for a certificate validation task linked to a certificate', code: 'notForKind' }]);
      }
      const now = this.clock.now();
      await tx.query(`UPDATE plan_task SET status = 'completed', completed_at = $2 WHERE id = $1`, [task.id, now]);
      if (certificateId && dto.certificateOutcome) await this.skills.decideCertificate(tx, caller, task.person_id, certificateId, dto.certificateOutcome, true);
      await this.outbox.append(
        tx,
        reintegrationEvent(
          TaskCompletedSchema,
          plan.caseId,
          { taskId: task.id, planId: plan.id, caseId: plan.caseId, personId: task.person_id, kind: taskKindEnum(task.kind), completedAt: toTimestamp(now), completedBy: this.actor(caller) },
          { traceparent: caller.traceparent, time: now },
        ),
      );
      return this.taskDto({ ...task, status: 'completed', completed_at: now });
    });
  }

  private assertOpen(plan: PlanEntity): void {
    if (isClosed(plan.status)) {
      throw conflict(ReintegrationProblemTypes.PLAN_CLOSED, 'Plan closed', `The plan is ${plan.status}; nothing more is added to it.`, [{ field: 'planId', message: `is ${plan.status}`, code: 'planClosed' }]);
    }
  }

  // ---- follow-ups ----

  private followUpDto(r: FollowUpRow, now: Date): FollowUpDto {
    const status = r.recorded_at ? 'recorded' : r.overdue_at || isOverdue(r.due_at, now) ? 'overdue' : 'pending';
    return { id: r.id, planId: r.plan_id, milestone: r.milestone, dueAt: r.due_at.toISOString(), status, recordedAt: r.recorded_at?.toISOString() ?? null, scores: scoresOf(r) };
  }

  async followUps(caller: Caller, planId: string): Promise<FollowUpDto[]> {
    const plan = await this.visible(this.ds.manager, caller, planId);
    const rows: FollowUpRow[] = await this.ds.query(`SELECT * FROM follow_up WHERE plan_id = $1 ORDER BY due_at`, [plan.id]);
    const now = this.clock.now();
    return rows.map((r) => this.followUpDto(r, now));
  }

  /** Records a milestone's follow-up: coded answers scored on the three dimensions; MilestoneReached. */
  async recordFollowUp(caller: Caller, planId: string, milestone: Milestone, answers: Record<string, unknown>): Promise<FollowUpDto> {
    const typeErrors = Object.entries(answers)
      .filter(([, v]) => typeof v !== 'string')
      .map(([k]) => ({ field: `answers.${k}`, message: 'must be an answer code (a string)', code: 'isString' }));
    if (typeErrors.length > 0) throw validationProblem(typeErrors);
    const issues = answerIssues(answers as Record<string, string>);
    if (issues.length > 0) throw new ProblemException(422, 'invalid-answers', 'Invalid answers', 'Every sustainability question must be answered with one of its codes; nothing was recorded.', { errors: issues });
    return this.ds.transaction(async (tx) => {
      const plan = await this.visible(tx, caller, planId, true);
      this.assertOpen(plan);
      const rows: FollowUpRow[] = await tx.query(`SELECT * FROM follow_up WHERE plan_id = $1 AND milestone = $2 FOR UPDATE`, [plan.id, milestone]);
      if (rows.length === 0) {
        throw conflict('plan-not-active', 'Plan not active yet', 'Follow-ups start when the plan is activated.', [{ field: 'planId', message: 'has not been activated', code: 'notActivated' }]);
      }
      if (rows[0].recorded_at) {
        throw conflict('already-recorded', 'Follow-up already recorded', 'This milestone was recorded already.', [{ field: 'milestone', message: 'is already recorded', code: 'alreadyRecorded' }]);
      }
      const s = score(answers as Record<string, string>);
      const now = this.clock.now();
      await tx.query(`UPDATE follow_up SET recorded_at = $2, answers = $3, economic = $4, social = $5, psychosocial = $6, composite = $7 WHERE id = $1`, [
        rows[0].id,
        now,
        JSON.stringify(answers),
        s.economic,
        s.social,
        s.psychosocial,
        s.composite,
      ]);
      await tx.query(`UPDATE plan SET version = version + 1, updated_at = clock_timestamp() WHERE id = $1`, [plan.id]);
      await this.outbox.append(
        tx,
        reintegrationEvent(
          MilestoneReachedSchema,
          plan.caseId,
          { followUpId: rows[0].id, planId: plan.id, caseId: plan.caseId, milestone: milestoneEnum(milestone), scores: scoresMessage(s), reachedAt: toTimestamp(now), recordedBy: this.actor(caller) },
          { traceparent: caller.traceparent, time: now },
        ),
      );
      return this.followUpDto({ ...rows[0], recorded_at: now, economic: String(s.economic), social: String(s.social), psychosocial: String(s.psychosocial), composite: String(s.composite) }, now);
    });
  }

  /**
   * Marks the follow-ups of active plans overdue at `now` (past due plus the grace period, not
   * recorded) and emits FollowUpOverdue once for each; returns how many. Rows being written
   * right now are skipped (SKIP LOCKED) and found by the next sweep.
   */
  async sweepOverdue(now: Date): Promise<number> {
    return this.ds.transaction(async (tx) => {
      const due: (FollowUpRow & { case_id: string })[] = await tx.query(
        `SELECT f.*, p.case_id FROM follow_up f JOIN plan p ON p.id = f.plan_id
          WHERE f.recorded_at IS NULL AND f.overdue_at IS NULL AND p.status = 'active' AND f.due_at < $1::timestamptz - make_interval(secs => $2)
          ORDER BY f.due_at, f.id LIMIT 500 FOR UPDATE OF f SKIP LOCKED`,
        [now, FOLLOW_UP_GRACE_MS / 1000],
      );
      if (due.length === 0) return 0;
      await tx.query(`UPDATE follow_up SET overdue_at = $2 WHERE id = ANY($1::uuid[])`, [due.map((d) => d.id), now]);
      await this.outbox.append(
        tx,
        ...due.map((d) =>
          reintegrationEvent(
            FollowUpOverdueSchema,
            d.case_id,
            { followUpId: d.id, planId: d.plan_id, caseId: d.case_id, milestone: milestoneEnum(d.milestone), dueAt: toTimestamp(d.due_at), detectedAt: toTimestamp(now) },
            { time: now },
          ),
        ),
      );
      return due.length;
    });
  }
}

/** The country node of a center (its code starts with the node's ISO 3166-1 alpha-2 code: GT-CRM-01). */
export function nodeOfCenter(centerCode: string): string {
  return centerCode.slice(0, 2);
}
