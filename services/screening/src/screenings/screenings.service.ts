import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Principal } from '@puente/auth';
import { resourceNotFound } from '@puente/auth';
import { AuditLog, type Caller } from '@puente/audit';
import { encodeEvent, ProtectionAlertRaisedSchema, ScreeningCompletedSchema, ScreeningRequestedSchema, ScreeningStartedSchema, Topics } from '@puente/contracts';
import { OutboxWriter } from '@puente/messaging';
import { assertIfMatch, assertVersionUpdated, computeEtag, type FieldError, isUniqueViolation, type Page, paginate, parseTraceparent, ProblemException, ServiceConfig, validationProblem } from '@puente/platform';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import { CaseRecordEntity } from '../case-registry/case-record.entity';
import { CaseRegistry } from '../case-registry/case-registry.service';
import { incompleteProblem, invalidAnswersProblem, ScreeningProblemTypes, screeningNotAllowedProblem } from '../problems';
import { ScreeningAnswers } from './screening-answers';
import { DEFAULT_QUESTIONNAIRE_KEY } from '../questionnaires/catalog';
import type { CompiledQuestionnaire } from '../questionnaires/definition';
import {
  type AnswerIssue,
  type Answers,
  answersFromPerson,
  applyAnswerPatch,
  carryOverAnswers,
  completionIssues,
  effectiveAnswers,
  evaluateOutcome,
  visibleQuestions,
} from '../questionnaires/engine';
import type { QuestionnaireVersionEntity } from '../questionnaires/questionnaire-version.entity';
import { QuestionnairesService } from '../questionnaires/questionnaires.service';
import type { ScreeningCreatedDto, ScreeningDto, ScreeningResultDto, ScreeningSummaryDto } from './dto';
import type { ConcernCode } from './protection-concerns';
import { ScreeningEntity } from './screening.entity';
import { EVENT_TYPES, type EventActor, protectionAlertRaised, screeningCompleted, screeningRequested, screeningStarted } from './screening-events';
import { isOpen, nextStatus, type ScreeningAction, type ScreeningTrigger } from './screening-state';

/** Most answers accepted in one request (a questionnaire has at most 400 questions). */
export const MAX_ANSWERS_PER_REQUEST = 400;

/** A protection concern raised by reception (validated by the consumer). */
export interface ConcernRequest {
  /** The event's id (ce_id): the audit record's request id. */
  eventId: string;
  concernId: string;
  caseId: string;
  /** Reception center, e.g. GT-CRM-01: the case's site while intake has not opened it here. */
  centerCode: string;
  concerns: ConcernCode[];
  /** Who raised it, as reception states it. */
  raisedBy: EventActor;
  traceparent?: string;
}

/** What a protection concern did: opened a pending screening, or nothing (and why). */
export type ConcernOutcome =
  | { opened: true; screeningId: string }
  | { opened: false; reason: 'concern-already-handled' | 'screening-open' | 'case-closed' | 'person-erased'; screeningId?: string }
  | { opened: false; reason: 'no-published-questionnaire' };

/** Today's date (UTC) as `YYYY-MM-DD`: the reference date of date rules. */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function etagOf(s: Pick<ScreeningEntity, 'id' | 'version'>): string {
  return computeEtag({ id: s.id, version: s.version });
}

function toFieldErrors(issues: readonly AnswerIssue[]): FieldError[] {
  return issues.map((i) => ({ field: i.field, code: i.code, message: i.message }));
}

function alreadyOpen(screeningId?: string): ProblemException {
  return new ProblemException(
    409,
    ScreeningProblemTypes.SCREENING_ALREADY_OPEN,
    'A screening is already open',
    'This person already has an open screening; continue it.',
    screeningId ? { screeningId } : {},
  );
}

function notEditable(s: ScreeningEntity, action: ScreeningAction): ProblemException {
  return new ProblemException(
    409,
    ScreeningProblemTypes.SCREENING_NOT_EDITABLE,
    'Screening not editable',
    `This screening is ${s.status}; it cannot be ${{ activate: 'started', answer: 'changed', complete: 'completed', cancel: 'cancelled' }[action]}. Start a re-screening instead.`,
    { screeningStatus: s.status },
  );
}

export function toSummary(s: ScreeningEntity): ScreeningSummaryDto {
  return {
    id: s.id,
    caseId: s.caseId,
    personId: s.personId,
    status: s.status,
    trigger: s.trigger,
    previousScreeningId: s.previousScreeningId,
    concern: s.concernId && s.centerCode ? { concernId: s.concernId, centerCode: s.centerCode, concerns: s.concernCodes } : null,
    activatedAt: s.activatedAt?.toISOString() ?? null,
    questionnaire: { key: s.questionnaireKey, version: s.questionnaireVersion, definitionSha256: s.definitionSha256 },
    riskLevel: s.riskLevel,
    cancelReason: s.cancelReason,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    completedAt: s.completedAt?.toISOString() ?? null,
    cancelledAt: s.cancelledAt?.toISOString() ?? null,
    version: s.version,
  };
}

/**
 * Screening sessions: start (with a screening consent in the read model), answers in parts,
 * completion (required and conditional answers, rules evaluated, result stored for good),
 * result, history, re-screening on the current version. Every change and its events commit in
 * one transaction, with the case row locked so one case's changes (and events) are serialized.
 */
@Injectable()
export class ScreeningsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly questionnaires: QuestionnairesService,
    private readonly registry: CaseRegistry,
    private readonly outbox: OutboxWriter,
    private readonly config: ServiceConfig,
    private readonly audit: AuditLog,
    private readonly answers: ScreeningAnswers,
  ) {}

  private actor(principal: Principal): EventActor {
    return { clientId: principal.clientId, partnerId: principal.partnerId, node: this.config.PUENTE_NODE };
  }

  /** Requires the person's screening consent in force (and an open, visible case, the person not erased); locks the case row. */
  private async requireEligible(tx: EntityManager, caseId: string, personId: string, principal: Principal, at: Date) {
    const eligibility = await this.registry.eligibility(tx, caseId, personId, principal.jurisdictions, at, true);
    if (!eligibility.ok) throw screeningNotAllowedProblem(eligibility.reason);
    return eligibility.case;
  }

  /**
   * The person to screen on a case: the one named (who must be known on the case), or the only
   * person screening knows there; a household names its member.
   */
  private async personToScreen(tx: EntityManager, caseId: string, principal: Principal, named?: string): Promise<string> {
    if (!(await this.registry.find(tx, caseId, principal.jurisdictions, true))) throw screeningNotAllowedProblem('case-unknown');
    const persons = await this.registry.personsOn(tx, caseId);
    if (named !== undefined) {
      if (!persons.includes(named)) throw screeningNotAllowedProblem('person-unknown');
      return named;
    }
    if (persons.length === 1) return persons[0];
    if (persons.length === 0) throw screeningNotAllowedProblem('person-unknown');
    throw validationProblem([{ field: 'personId', code: 'required', message: `This case has ${persons.length} persons; name the one to screen (household members are screened one by one).` }]);
  }

  /** Answers taken from what intake told screening about the person (nationality…), not asked again. */
  private async knownAnswers(tx: EntityManager, q: CompiledQuestionnaire, personId: string): Promise<Answers> {
    const person = await this.registry.person(tx, personId);
    return person ? answersFromPerson(q, person) : {};
  }

  /** The answers of a screening, or 409 person-erased once the person's data key is gone. */
  private async answersOf(db: EntityManager, s: ScreeningEntity): Promise<Answers> {
    const opened = await this.answers.open(db, s);
    if (opened.erased) throw screeningNotAllowedProblem('person-erased');
    return opened.answers;
  }

  /** The screening, locked, if the caller may see its case; else the 404 of a missing id. */
  private async loadForUpdate(tx: EntityManager, id: string, principal: Principal): Promise<ScreeningEntity> {
    const s = await tx.getRepository(ScreeningEntity).findOne({ where: { id } });
    if (!s || !(await this.registry.find(tx, s.caseId, principal.jurisdictions, true))) throw resourceNotFound('screening');
    // Case row first, then the screening: every writer of a case takes the locks in this order.
    return tx.getRepository(ScreeningEntity).findOneOrFail({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  private async load(id: string, principal: Principal, manager: EntityManager = this.dataSource.manager): Promise<ScreeningEntity> {
    const s = await manager.getRepository(ScreeningEntity).findOne({ where: { id } });
    if (!s || !(await this.registry.find(manager, s.caseId, principal.jurisdictions))) throw resourceNotFound('screening');
    return s;
  }

  private async compiledFor(manager: EntityManager, s: ScreeningEntity): Promise<CompiledQuestionnaire> {
    return this.questionnaires.compiledOf(await this.questionnaires.byId(manager, s.questionnaireVersionId));
  }

  /** The full view; after the person's erasure the answers are empty and `answersErasedAt` says since when. */
  async view(s: ScreeningEntity, manager: EntityManager = this.dataSource.manager): Promise<ScreeningDto> {
    const opened = await this.answers.open(manager, s);
    let visible: string[] = [];
    let missing: string[] = [];
    if (isOpen(s.status) && !opened.erased) {
      const q = await this.compiledFor(manager, s);
      const asOf = today();
      const shown = visibleQuestions(q, opened.answers, asOf);
      visible = q.questionIds.filter((id) => shown.has(id));
      missing = completionIssues(q, opened.answers, asOf).map((i) => i.field.slice('answers.'.length));
    }
    const person = s.personId ? await this.registry.person(manager, s.personId) : undefined;
    return {
      ...toSummary(s),
      person: person ? { ageBand: person.ageBand, sex: person.sex, nationality: person.nationality, vulnerabilityFlags: person.vulnerabilityFlags } : null,
      answers: opened.answers,
      visibleQuestions: visible,
      missingRequired: missing,
      result: s.outcome,
      asOf: s.asOf,
      answersErasedAt: opened.erased ? opened.erasedAt.toISOString() : null,
    };
  }

  private async create(
    tx: EntityManager,
    caller: Caller,
    caseId: string,
    personId: string,
    version: QuestionnaireVersionEntity,
    trigger: ScreeningTrigger,
    answers: Answers,
    previousScreeningId: string | null,
  ): Promise<ScreeningEntity> {
    // One open screening per person (the partial unique index screening_one_open_per_person backs this).
    const open = await tx.getRepository(ScreeningEntity).findOne({ where: [{ personId, status: 'pending' }, { personId, status: 'in_progress' }] });
    if (open) throw alreadyOpen(open.id);
    const id = randomUUID();
    answers = { ...(await this.knownAnswers(tx, this.questionnaires.compiledOf(version), personId)), ...answers };
    try {
      await tx.query(
        `INSERT INTO screening (id, case_id, person_id, questionnaire_version_id, questionnaire_key, questionnaire_version, definition_sha256, status, trigger,
           previous_screening_id, answers_enc, started_by_client, started_by_partner)
         VALUES ($1, $2, $12, $3, $4, $5, $6, 'in_progress', $7, $8, $9, $10, $11)`,
        [
          id,
          caseId,
          version.id,
          version.key,
          version.version,
          version.definitionSha256,
          trigger,
          previousScreeningId,
          await this.answers.seal(tx, { id }, personId, answers),
          caller.principal.clientId,
          caller.principal.partnerId,
          personId,
        ],
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw alreadyOpen();
      throw error;
    }
    const s = await tx.getRepository(ScreeningEntity).findOneByOrFail({ id });
    await this.outbox.append(tx, {
      topic: Topics.screening.name,
      key: caseId,
      type: EVENT_TYPES.started,
      payload: encodeEvent(ScreeningStartedSchema, screeningStarted(s, this.actor(caller.principal))),
      traceparent: caller.traceparent,
    });
    return s;
  }

  private async currentVersion(tx: EntityManager, key: string): Promise<QuestionnaireVersionEntity> {
    const version = await this.questionnaires.current(key, tx);
    if (!version) {
      throw new ProblemException(409, ScreeningProblemTypes.NO_PUBLISHED_QUESTIONNAIRE, 'No published questionnaire', `Questionnaire "${key}" has no published version.`, { questionnaireKey: key });
    }
    return version;
  }

  /**
   * Starts a screening of a case on the current version of the questionnaire; or, when the case
   * has a pending screening (from a protection concern) and no other questionnaire is asked for,
   * starts that one (`activated`). Either way only with a screening consent in force.
   */
  async start(caller: Caller, caseId: string, options: { personId?: string; questionnaireKey?: string } = {}): Promise<ScreeningCreatedDto & { activated: boolean }> {
    const { questionnaireKey } = options;
    return this.dataSource.transaction(async (tx) => {
      const personId = await this.personToScreen(tx, caseId, caller.principal, options.personId);
      await this.requireEligible(tx, caseId, personId, caller.principal, new Date());
      const pending = await tx.getRepository(ScreeningEntity).findOne({
        where: [
          { caseId, status: 'pending', personId },
          { caseId, status: 'pending', personId: IsNull() },
        ],
        lock: { mode: 'pessimistic_write' },
      });
      if (pending && (questionnaireKey === undefined || questionnaireKey === pending.questionnaireKey)) {
        return { ...toSummary(await this.activate(tx, pending, caller, personId)), carriedOver: [], dropped: [], activated: true };
      }
      const version = await this.currentVersion(tx, questionnaireKey ?? DEFAULT_QUESTIONNAIRE_KEY);
      const s = await this.create(tx, caller, caseId, personId, version, 'caseworker', {}, null);
      return { ...toSummary(s), carriedOver: [], dropped: [], activated: false };
    });
  }

  /**
   * Starts a pending screening (the caller checked consent and holds the case row lock): it
   * becomes `in_progress`, with who activated it, and ScreeningStarted is emitted.
   */
  private async activate(tx: EntityManager, s: ScreeningEntity, caller: Caller, personId: string): Promise<ScreeningEntity> {
    if (typeof nextStatus(s.status, 'activate') !== 'string') throw notEditable(s, 'activate');
    const open = await tx.getRepository(ScreeningEntity).findOne({ where: [{ personId, status: 'in_progress' }] });
    if (open) throw alreadyOpen(open.id);
    const answersEnc = await this.answers.seal(tx, s, personId, await this.knownAnswers(tx, await this.compiledFor(tx, s), personId));
    assertVersionUpdated(
      await tx
        .createQueryBuilder()
        .update(ScreeningEntity)
        .set({
          status: 'in_progress',
          personId,
          answersEnc,
          activatedAt: () => 'clock_timestamp()',
          activatedByClient: caller.principal.clientId,
          activatedByPartner: caller.principal.partnerId,
          updatedAt: () => 'clock_timestamp()',
          version: () => 'version + 1',
        })
        .where("id = :id AND version = :version AND status = 'pending'", { id: s.id, version: s.version })
        .execute(),
    );
    const active = await tx.getRepository(ScreeningEntity).findOneByOrFail({ id: s.id });
    await this.outbox.append(tx, {
      topic: Topics.screening.name,
      key: active.caseId,
      type: EVENT_TYPES.started,
      payload: encodeEvent(ScreeningStartedSchema, screeningStarted(active, this.actor(caller.principal))),
      traceparent: caller.traceparent,
    });
    return active;
  }

  /**
   * Opens a pending screening for the case of a reception protection concern, in the consumer's
   * transaction (with its inbox row). Nothing new when the concern was handled before (same
   * concern id), when the case already has an open (pending or in-progress) screening, or when
   * the case is closed or its person erased. A case screening has not heard of from intake yet is
   * recorded from the concern (site = the reception center, custody = this node); intake's
   * CaseOpened completes it later. No consent is checked here: nothing is asked or answered until
   * a caseworker starts the screening, and that start checks consent.
   */
  async requestFromConcern(tx: EntityManager, r: ConcernRequest): Promise<ConcernOutcome> {
    await tx.query(
      `INSERT INTO case_record (case_id, reference, site_code, custody_node, known_from) VALUES ($1, NULL, $2, $3, 'reception')
       ON CONFLICT (case_id) DO NOTHING`,
      [r.caseId, r.centerCode, this.config.PUENTE_NODE],
    );
    // Case row first, then screenings: the lock order of every writer of a case.
    const c = await tx.getRepository(CaseRecordEntity).findOneOrFail({ where: { caseId: r.caseId }, lock: { mode: 'pessimistic_write' } });
    const screenings = tx.getRepository(ScreeningEntity);
    const same = await screenings.findOne({ where: { concernId: r.concernId } });
    if (same) return { opened: false, reason: 'concern-already-handled', screeningId: same.id };
    if (c.erasedAt) return { opened: false, reason: 'person-erased' };
    if (c.closedAt) return { opened: false, reason: 'case-closed' };
    const open = await screenings.findOne({ where: [{ caseId: r.caseId, status: 'pending' }, { caseId: r.caseId, status: 'in_progress' }] });
    if (open) return { opened: false, reason: 'screening-open', screeningId: open.id };
    const version = await this.questionnaires.current(DEFAULT_QUESTIONNAIRE_KEY, tx);
    if (!version) return { opened: false, reason: 'no-published-questionnaire' };
    const id = randomUUID();
    await tx.query(
      `INSERT INTO screening (id, case_id, questionnaire_version_id, questionnaire_key, questionnaire_version, definition_sha256, status, trigger,
         concern_id, center_code, concern_codes, started_by_client, started_by_partner)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', 'protection_concern', $7, $8, $9, $10, $11)`,
      [id, r.caseId, version.id, version.key, version.version, version.definitionSha256, r.concernId, r.centerCode, r.concerns, r.raisedBy.clientId, r.raisedBy.partnerId],
    );
    const s = await screenings.findOneByOrFail({ id });
    const traceparent = parseTraceparent(r.traceparent) ? r.traceparent : undefined;
    await this.outbox.append(tx, {
      topic: Topics.screening.name,
      key: r.caseId,
      type: EVENT_TYPES.requested,
      payload: encodeEvent(ScreeningRequestedSchema, screeningRequested(s, r.raisedBy)),
      traceparent,
    });
    await this.audit.append(tx, {
      action: 'screening.request',
      objectType: 'screening',
      objectId: id,
      purpose: 'screening',
      // The reception client that raised the concern; its partner, or this node for the node's own staff.
      actor: { subject: r.raisedBy.clientId, clientId: r.raisedBy.clientId, partnerId: r.raisedBy.partnerId || this.config.PUENTE_NODE },
      requestId: r.eventId,
      traceparent,
    });
    return { opened: true, screeningId: id };
  }

  async get(caller: Caller, id: string): Promise<ScreeningDto> {
    return this.view(await this.load(id, caller.principal));
  }

  /** Saves some answers (If-Match): all or nothing. */
  async saveAnswers(caller: Caller, id: string, patch: Record<string, unknown>): Promise<ScreeningDto & { cleared: string[] }> {
    if (Object.keys(patch).length > MAX_ANSWERS_PER_REQUEST) {
      throw invalidAnswersProblem([{ field: 'answers', code: 'too-many', message: `At most ${MAX_ANSWERS_PER_REQUEST} answers per request.` }]);
    }
    return this.dataSource.transaction(async (tx) => {
      let s = await this.loadForUpdate(tx, id, caller.principal);
      assertIfMatch(caller.request, etagOf(s));
      const status = nextStatus(s.status, 'answer');
      if (typeof status !== 'string') throw notEditable(s, 'answer');
      const personId = s.personId ?? (await this.personToScreen(tx, s.caseId, caller.principal));
      await this.requireEligible(tx, s.caseId, personId, caller.principal, new Date());
      // Answering a pending screening starts it (and is undone with it if the answers are refused).
      if (s.status === 'pending') s = await this.activate(tx, s, caller, personId);
      const q = await this.compiledFor(tx, s);
      const result = applyAnswerPatch(q, await this.answersOf(tx, s), patch, today());
      if (!result.answers) throw invalidAnswersProblem(toFieldErrors(result.issues));
      const answersEnc = await this.answers.seal(tx, s, personId, result.answers);
      assertVersionUpdated(
        await tx
          .createQueryBuilder()
          .update(ScreeningEntity)
          .set({ answersEnc, status, updatedAt: () => 'clock_timestamp()', version: () => 'version + 1' })
          .where('id = :id AND version = :version', { id: s.id, version: s.version })
          .execute(),
      );
      const saved = await tx.getRepository(ScreeningEntity).findOneByOrFail({ id });
      return { ...(await this.view(saved, tx)), cleared: result.cleared };
    });
  }

  /** Completes a screening: checks required answers, evaluates the rules, stores the result for good, emits the events. */
  async complete(caller: Caller, id: string): Promise<ScreeningDto> {
    return this.dataSource.transaction(async (tx) => {
      let s = await this.loadForUpdate(tx, id, caller.principal);
      if (caller.request.headers['if-match'] !== undefined) assertIfMatch(caller.request, etagOf(s));
      if (typeof nextStatus(s.status, 'complete') !== 'string') throw notEditable(s, 'complete');
      const now = new Date();
      const personId = s.personId ?? (await this.personToScreen(tx, s.caseId, caller.principal));
      const caseRecord = await this.requireEligible(tx, s.caseId, personId, caller.principal, now);
      if (s.status === 'pending') s = await this.activate(tx, s, caller, personId);
      const q = await this.compiledFor(tx, s);
      const asOf = today(now);
      const given = await this.answersOf(tx, s);
      const missing = completionIssues(q, given, asOf);
      if (missing.length > 0) throw incompleteProblem(toFieldErrors(missing));
      const answers = effectiveAnswers(q, given, asOf);
      const outcome = evaluateOutcome(q, answers, asOf);
      const answersEnc = await this.answers.seal(tx, s, personId, answers);
      assertVersionUpdated(
        await tx
          .createQueryBuilder()
          .update(ScreeningEntity)
          .set({
            status: 'completed',
            answersEnc,
            outcome,
            riskLevel: outcome.risk.level,
            asOf,
            completedAt: now,
            completedByClient: caller.principal.clientId,
            completedByPartner: caller.principal.partnerId,
            updatedAt: () => 'clock_timestamp()',
            version: () => 'version + 1',
          })
          .where('id = :id AND version = :version', { id: s.id, version: s.version })
          .execute(),
      );
      const completed = await tx.getRepository(ScreeningEntity).findOneByOrFail({ id });
      const actor = this.actor(caller.principal);
      await this.outbox.append(tx, {
        topic: Topics.screening.name,
        key: s.caseId,
        type: EVENT_TYPES.completed,
        payload: encodeEvent(ScreeningCompletedSchema, screeningCompleted(completed, outcome, now, actor)),
        traceparent: caller.traceparent,
      });
      if (outcome.risk.level === 'urgent') {
        await this.outbox.append(tx, {
          topic: Topics.screening.name,
          key: s.caseId,
          type: EVENT_TYPES.alert,
          payload: encodeEvent(ProtectionAlertRaisedSchema, protectionAlertRaised(randomUUID(), completed, outcome, caseRecord, now)),
          traceparent: caller.traceparent,
        });
      }
      return this.view(completed, tx);
    });
  }

  /** The stored result of a completed screening (never recomputed). */
  async result(caller: Caller, id: string): Promise<ScreeningResultDto> {
    const s = await this.load(id, caller.principal);
    if (s.status !== 'completed' || !s.outcome || !s.completedAt || !s.asOf) {
      throw new ProblemException(409, ScreeningProblemTypes.SCREENING_NOT_COMPLETED, 'Screening not completed', `This screening is ${s.status}; it has no result.`, { screeningStatus: s.status });
    }
    return {
      screeningId: s.id,
      caseId: s.caseId,
      questionnaire: { key: s.questionnaireKey, version: s.questionnaireVersion, definitionSha256: s.definitionSha256 },
      asOf: s.asOf,
      completedAt: s.completedAt.toISOString(),
      ...s.outcome,
    };
  }

  /** Starts a new screening after a completed one, on the current version, carrying over the answers that still fit. */
  async rescreen(caller: Caller, id: string): Promise<ScreeningCreatedDto> {
    return this.dataSource.transaction(async (tx) => {
      const previous = await this.loadForUpdate(tx, id, caller.principal);
      if (previous.status !== 'completed') {
        throw new ProblemException(409, ScreeningProblemTypes.SCREENING_NOT_COMPLETED, 'Screening not completed', `Only a completed screening can be re-screened; this one is ${previous.status}.`, {
          screeningStatus: previous.status,
        });
      }
      const personId = previous.personId ?? (await this.personToScreen(tx, previous.caseId, caller.principal));
      await this.requireEligible(tx, previous.caseId, personId, caller.principal, new Date());
      const version = await this.currentVersion(tx, previous.questionnaireKey);
      const { answers, dropped } = carryOverAnswers(this.questionnaires.compiledOf(version), await this.answersOf(tx, previous), today());
      const s = await this.create(tx, caller, previous.caseId, personId, version, 'rescreen', answers, previous.id);
      return { ...toSummary(s), carriedOver: Object.keys(answers), dropped };
    });
  }

  /** The screenings of a case, oldest first. */
  async history(caller: Caller, caseId: string, page: { limit: number; cursor?: string }): Promise<Page<ScreeningEntity>> {
    if (!(await this.registry.find(this.dataSource.manager, caseId, caller.principal.jurisdictions))) throw resourceNotFound('case');
    const qb = this.dataSource.getRepository(ScreeningEntity).createQueryBuilder('s').where('s.case_id = :caseId', { caseId });
    return paginate(qb, {
      limit: page.limit,
      cursor: page.cursor,
      sort: [
        { column: 's.created_at', key: 't', type: 'timestamp' },
        { column: 's.id', key: 'id', type: 'uuid' },
      ],
      scope: `cases/${caseId}/screenings`,
    });
  }
}
