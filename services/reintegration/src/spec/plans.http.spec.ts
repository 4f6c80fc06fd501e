// Reintegration plans over real HTTP, Kafka and PostgreSQL: opened on reception's check-ins or by
// a caseworker with consent, moved through their status, tasks, follow-ups on a test clock, and
// what erasure and a withdrawn consent do.
import { randomUUID } from 'node:crypto';
import {
  AgeBand,
  ArrivalOutcome,
  ConsentPurpose,
  ConsentRecordedSchema,
  ConsentWithdrawnSchema,
  Milestone,
  PersonCheckedInSchema,
  PersonErasedSchema,
  PlanOutcome,
  PlanStatus,
  ProgramChangedSchema,
  ProgramPathway,
  ProgramStatus,
  Sex,
  TaskKind,
  toTimestamp,
} from '@puente/contracts';
import { eventually } from '@puente/testing';
import { FollowUpSweeper } from '../plans/follow-up-sweeper';
import { SUSTAINABILITY_QUESTIONS } from '../plans/sustainability';
import {
  consentTo,
  consumed,
  expectProblem,
  problemFields,
  publish,
  type ReintegrationTestApp,
  reintegrationEventsOf,
  returnee,
  startReintegration,
} from '../testing/harness';
import { TestClock } from '../testing/test-clock';

const DAY = 24 * 60 * 60 * 1000;
const best = Object.fromEntries(SUSTAINABILITY_QUESTIONS.map((q) => [q.id, Object.keys(q.answers).at(-1)!]));
const middling = Object.fromEntries(SUSTAINABILITY_QUESTIONS.map((q) => [q.id, Object.keys(q.answers)[1]]));

describe('reintegration plans (real HTTP, Kafka, PostgreSQL)', () => {
  let t: ReintegrationTestApp;
  const clock = new TestClock(new Date());

  beforeAll(async () => {
    t = await startReintegration('plans', { clock });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  async function plansOfCase(caseId: string): Promise<number> {
    return Number((await t.ds.query(`SELECT count(*)::int AS n FROM plan WHERE case_id = $1`, [caseId]))[0].n);
  }

  async function program(): Promise<string> {
    const programId = randomUUID();
    await consumed(
      t,
      await publish(t, 'referral-routing', 'IOM-GT', ProgramChangedSchema, {
        programId,
        partnerId: 'IOM-GT',
        label: 'Reintegration of returned Guatemalans',
        pathway: ProgramPathway.REINTEGRATION,
        status: ProgramStatus.ACTIVE,
        node: 'GT',
        version: 1,
        changedAt: toTimestamp(),
      }),
    );
    return programId;
  }

  async function checkIn(caseId: string, personId: string, centerCode = 'GT-CRM-01'): Promise<string> {
    return publish(t, 'reception', caseId, PersonCheckedInSchema, {
      arrivalId: randomUUID(),
      caseId,
      personId,
      centerCode,
      outcome: ArrivalOutcome.ARRIVED,
      checkedInAt: toTimestamp(clock.now()),
    });
  }

  async function caseworkerPlan(members: { personId: string; role?: string; goals?: string[]; specificNeeds?: string[] }[], caseId: string, extra: Record<string, unknown> = {}) {
    return t.call('POST', '/v1/plans', {
      body: { caseId, members: members.map((m) => ({ role: 'principal', goals: ['employment'], ...m })), referringCenterCode: 'GT-CRM-01', ...extra },
    });
  }

  it('opens a draft plan on a check-in once a reintegration_support consent is in force (either order), referred by the center', async () => {
    // Consent first, then check-in.
    const a = await returnee(t);
    await consumed(t, await checkIn(a.caseId, a.personId));
    // Check-in first: the plan waits for the consent.
    const b = await returnee(t, { consent: false });
    await consumed(t, await checkIn(b.caseId, b.personId, 'GT-CRM-02'));
    expect(await plansOfCase(b.caseId)).toBe(0);
    await consentTo(t, b.caseId, b.personId);

    for (const [p, center] of [
      [a, 'GT-CRM-01'],
      [b, 'GT-CRM-02'],
    ] as const) {
      const list = await t.call('GET', `/v1/plans?caseId=${p.caseId}`);
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0]).toMatchObject({ origin: 'check_in', status: 'draft', referringCenterCode: center, members: [{ personId: p.personId, role: 'principal', goals: [], erased: false }] });
      const events = await reintegrationEventsOf(t, p.caseId, (es) => es.some((e) => e.type === 'puente.reintegration.v1.PlanCreated'));
      const created = events.find((e) => e.type === 'puente.reintegration.v1.PlanCreated')!.message;
      expect(created).toMatchObject({ planId: list.body.items[0].id, caseId: p.caseId, memberPersonIds: [p.personId], referringCenterCode: center, referringNode: 'GT' });
    }
    // A check-in without any consent opens nothing.
    const c = await returnee(t, { consent: false });
    await consumed(t, await checkIn(c.caseId, c.personId));
    expect(await plansOfCase(c.caseId)).toBe(0);
  });

  it('lets a caseworker open a household plan with each member\'s goals and coded specific needs', async () => {
    const mother = await returnee(t, { sex: Sex.FEMALE });
    const child = await returnee(t, { caseId: mother.caseId, ageBand: AgeBand.AGED_5_TO_11, sex: Sex.MALE });
    const programId = await program();
    const res = await caseworkerPlan(
      [
        { personId: mother.personId, goals: ['employment', 'documentation'], specificNeeds: ['women_single_head_of_household', 'indigenous_language_interpretation'] },
        { personId: child.personId, role: 'child', goals: ['education'], specificNeeds: ['children_school_reenrollment'] },
      ],
      mother.caseId,
      { programIds: [programId] },
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBeTruthy();
    expect(res.body).toMatchObject({ origin: 'caseworker', status: 'draft', programIds: [programId], allowedActions: ['activate', 'drop'] });
    expect(res.body.members.map((m: any) => [m.role, m.goals, m.specificNeeds])).toEqual([
      ['principal', ['employment', 'documentation'], ['women_single_head_of_household', 'indigenous_language_interpretation']],
      ['child', ['education'], ['children_school_reenrollment']],
    ]);
    const again = await caseworkerPlan([{ personId: mother.personId }], mother.caseId);
    expectProblem(again, 409, 'already-exists');
    const got = await t.call('GET', `/v1/plans/${res.body.id}`);
    expect(got.body).toEqual(res.body);
    // Outside the caller's jurisdictions, the plan does not exist.
    const mx = await t.call('GET', `/v1/plans/${res.body.id}`, { token: await t.token({ jurisdictions: ['MX'] }) });
    expectProblem(mx, 404);
  });

  it('refuses a plan without consent, with unknown codes or unknown programs, and writes nothing', async () => {
    const consenting = await returnee(t);
    const without = await returnee(t, { caseId: consenting.caseId, consent: false });
    const noConsent = expectProblem(await caseworkerPlan([{ personId: consenting.personId }, { personId: without.personId, role: 'child' }], consenting.caseId), 403, 'consent-required');
    expect(noConsent.errors).toEqual([{ field: 'members[1].personId', message: expect.any(String), code: 'no-consent' }]);

    const badGoal = await caseworkerPlan([{ personId: consenting.personId, goals: ['flying'] }], consenting.caseId);
    expect(problemFields(expectProblem(badGoal, 400))).toEqual(['members[0].goals']);
    const badNeed = await caseworkerPlan([{ personId: consenting.personId, specificNeeds: ['women_something_free_text'] }], consenting.caseId);
    expect(problemFields(expectProblem(badNeed, 400))).toEqual(['members[0].specificNeeds']);
    const badProgram = await caseworkerPlan([{ personId: consenting.personId }], consenting.caseId, { programIds: [randomUUID()] });
    expect(problemFields(expectProblem(badProgram, 422, 'unknown-code'))).toEqual(['programIds[0]']);

    expect(await plansOfCase(consenting.caseId)).toBe(0);
    const outbox = await t.ds.query(`SELECT count(*)::int AS n FROM outbox_message WHERE message_key = $1`, [consenting.caseId]);
    expect(outbox[0].n).toBe(0);
  });

  it('moves a plan through its status and refuses invalid transitions with 409 naming the allowed actions', async () => {
    const p = await returnee(t);
    const plan = (await caseworkerPlan([{ personId: p.personId }], p.caseId)).body;
    const complete = expectProblem(await t.call('POST', `/v1/plans/${plan.id}/transitions`, { body: { action: 'complete', outcome: 'sustainably_reintegrated' } }), 409, 'invalid-transition');
    expect(complete.errors[0]).toMatchObject({ field: 'action', message: 'must be one of activate, drop' });
    const active = await t.call('POST', `/v1/plans/${plan.id}/transitions`, { body: { action: 'activate' }, headers: { 'if-match': (await t.call('GET', `/v1/plans/${plan.id}`)).headers.get('etag')! } });
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({ status: 'active', allowedActions: ['hold', 'complete', 'drop'] });
    // A stale ETag is 412, nothing changes.
    expectProblem(await t.call('POST', `/v1/plans/${plan.id}/transitions`, { body: { action: 'hold' }, headers: { 'if-match': '"stale"' } }), 412);
    expect((await t.call('POST', `/v1/plans/${plan.id}/transitions`, { body: { action: 'hold' } })).body.status).toBe('on_hold');
    expect((await t.call('POST', `/v1/plans/${plan.id}/transitions`, { body: { action: 'resume' } })).body.status).toBe('active');
    expect(problemFields(expectProblem(await t.call('POST', `/v1/plans/${plan.id}/transitions`, { body: { action: 'complete' } }), 400))).toEqual(['outcome']);
    expectProblem(await t.call('POST', `/v1/plans/${plan.id}/transitions`, { body: { action: 'complete', outcome: 'lost_contact' } }), 422, 'invalid-outcome');
    expect(problemFields(expectProblem(await t.call('POST', `/v1/plans/${plan.id}/transitions`, { body: { action: 'fly' } }), 400))).toEqual(['action']);
    const events = await reintegrationEventsOf(t, p.caseId, (es) => es.filter((e) => e.type === 'puente.reintegration.v1.PlanStatusChanged').length >= 3);
    expect(events.filter((e) => e.type === 'puente.reintegration.v1.PlanStatusChanged').map((e) => [(e.message as any).from, (e.message as any).to])).toEqual([
      [PlanStatus.DRAFT, PlanStatus.ACTIVE],
      [PlanStatus.ACTIVE, PlanStatus.ON_HOLD],
      [PlanStatus.ON_HOLD, PlanStatus.ACTIVE],
    ]);
  });

  it('adds tasks with due dates and owners, school re-enrollment for minors only, and completes a task once (TaskCompleted)', async () => {
    const mother = await returnee(t);
    const child = await returnee(t, { caseId: mother.caseId, ageBand: AgeBand.AGED_12_TO_17 });
    const programId = await program();
    const plan = (await caseworkerPlan([{ personId: mother.personId }, { personId: child.personId, role: 'child', goals: ['education'] }], mother.caseId, { programIds: [programId] })).body;
    const id = await t.call('POST', `/v1/plans/${plan.id}/tasks`, { body: { kind: 'national_id', personId: mother.personId, dueOn: '2027-02-28', owner: { kind: 'caseworker', staffId: 'GT-CRM-01/sw-0042' } } });
    expect(id.status).toBe(201);
    expect(id.body).toMatchObject({ kind: 'national_id', status: 'open', dueOn: '2027-02-28', owner: { kind: 'caseworker', staffId: 'GT-CRM-01/sw-0042' } });
    const school = await t.call('POST', `/v1/plans/${plan.id}/tasks`, {
      body: { kind: 'school_enrollment', personId: child.personId, dueOn: '2027-01-15', owner: { kind: 'partner_program', programId }, school: { schoolCode: '01-01-0123-43', grade: 'lower_secondary_2', enrollmentStatus: 'pending' } },
    });
    expect(school.status).toBe(201);
    expect(school.body.details).toEqual({ school: { schoolCode: '01-01-0123-43', grade: 'lower_secondary_2', enrollmentStatus: 'pending' } });
    for (const kind of ['psychosocial_session', 'housing', 'certificate_validation', 'social_program_enrollment']) {
      const missing = expectProblem(await t.call('POST', `/v1/plans/${plan.id}/tasks`, { body: { kind, personId: mother.personId, dueOn: '2027-01-15', owner: { kind: 'person' } } }), 400);
      expect(new Set(problemFields(missing)).size).toBe(1);
    }
    const misplaced = await t.call('POST', `/v1/plans/${plan.id}/tasks`, {
      body: { kind: 'national_id', personId: mother.personId, dueOn: '2027-01-15', owner: { kind: 'person' }, school: { schoolCode: '01-01-0123-43', grade: 'primary_1', enrollmentStatus: 'pending' } },
    });
    expect(problemFields(expectProblem(misplaced, 400))).toEqual(['school']);
    const adultSchool = await t.call('POST', `/v1/plans/${plan.id}/tasks`, {
      body: { kind: 'school_enrollment', personId: mother.personId, dueOn: '2027-01-15', owner: { kind: 'person' }, school: { schoolCode: '01-01-0123-43', grade: 'primary_1', enrollmentStatus: 'pending' } },
    });
    expect(problemFields(expectProblem(adultSchool, 422))).toEqual(['personId']);
    const notOurProgram = await t.call('POST', `/v1/plans/${plan.id}/tasks`, { body: { kind: 'bank_account', personId: mother.personId, dueOn: '2027-01-15', owner: { kind: 'partner_program', programId: randomUUID() } } });
    expect(problemFields(expectProblem(notOurProgram, 422))).toEqual(['owner.programId']);
    expect(problemFields(expectProblem(await t.call('POST', `/v1/plans/${plan.id}/tasks`, { body: { kind: 'mobile_money_account', personId: mother.personId, dueOn: '2027-02-30', owner: { kind: 'person' } } }), 400))).toEqual(['dueOn']);

    const done = await t.call('POST', `/v1/plans/${plan.id}/tasks/${id.body.id}/complete`);
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    expectProblem(await t.call('POST', `/v1/plans/${plan.id}/tasks/${id.body.id}/complete`), 409, 'already-completed');
    const tasks = await t.call('GET', `/v1/plans/${plan.id}/tasks`);
    expect(tasks.body.map((x: any) => [x.kind, x.status])).toEqual([
      ['school_enrollment', 'open'],
      ['national_id', 'completed'],
    ]);
    const events = await reintegrationEventsOf(t, mother.caseId, (es) => es.some((e) => e.type === 'puente.reintegration.v1.TaskCompleted'));
    expect(events.filter((e) => e.type === 'puente.reintegration.v1.TaskCompleted').map((e) => e.message)).toEqual([
      expect.objectContaining({ taskId: id.body.id, planId: plan.id, personId: mother.personId, kind: TaskKind.NATIONAL_ID }),
    ]);
  });

  it('schedules follow-ups at 1, 3, 6 and 12 months, scores them, finds overdue ones on a test clock, and closes with the outcome for the referring center', async () => {
    const p = await returnee(t);
    const plan = (await caseworkerPlan([{ personId: p.personId }], p.caseId)).body;
    expectProblem(await t.call('POST', `/v1/plans/${plan.id}/follow-ups/month_1`, { body: { answers: best } }), 409, 'plan-not-active');
    const activatedAt = clock.now();
    await t.call('POST', `/v1/plans/${plan.id}/transitions`, { body: { action: 'activate' } });
    const followUps = (await t.call('GET', `/v1/plans/${plan.id}/follow-ups`)).body;
    expect(followUps.map((f: any) => [f.milestone, f.status])).toEqual([
      ['month_1', 'pending'],
      ['month_3', 'pending'],
      ['month_6', 'pending'],
      ['month_12', 'pending'],
    ]);
    expect(new Date(followUps[3].dueAt).getUTCFullYear()).toBe(activatedAt.getUTCFullYear() + 1);

    const invalid = await t.call('POST', `/v1/plans/${plan.id}/follow-ups/month_1`, { body: { answers: { ...middling, econ_debt: 'a lot', psy_safety: undefined } } });
    expect(problemFields(expectProblem(invalid, 422, 'invalid-answers')).sort()).toEqual(['answers.econ_debt', 'answers.psy_safety']);
    expect(problemFields(expectProblem(await t.call('POST', `/v1/plans/${plan.id}/follow-ups/month_1`, { body: { answers: { ...middling, econ_debt: 3 } } }), 400))).toEqual(['answers.econ_debt']);

    clock.set(new Date(activatedAt.getTime() + 32 * DAY));
    const m1 = await t.call('POST', `/v1/plans/${plan.id}/follow-ups/month_1`, { body: { answers: middling } });
    expect(m1.status).toBe(201);
    expect(m1.body).toMatchObject({ milestone: 'month_1', status: 'recorded', scores: { economic: 0.5, social: 0.5, psychosocial: 0.5, composite: 0.5 } });
    expectProblem(await t.call('POST', `/v1/plans/${plan.id}/follow-ups/month_1`, { body: { answers: best } }), 409, 'already-recorded');

    // Three and a half months on, month 3 is overdue; month 1 was recorded; nothing is sent twice.
    // (The sweep covers every active plan of this suite: only this plan's follow-ups are checked.)
    const sweeper = t.app.get(FollowUpSweeper);
    clock.set(new Date(activatedAt.getTime() + 60 * DAY));
    await sweeper.sweep(clock.now());
    expect((await t.call('GET', `/v1/plans/${plan.id}/follow-ups`)).body.map((f: any) => f.status)).toEqual(['recorded', 'pending', 'pending', 'pending']);
    clock.set(new Date(activatedAt.getTime() + 106 * DAY));
    await sweeper.sweep(clock.now());
    await sweeper.sweep(clock.now());
    const after = (await t.call('GET', `/v1/plans/${plan.id}/follow-ups`)).body;
    expect(after.map((f: any) => f.status)).toEqual(['recorded', 'overdue', 'pending', 'pending']);
    const m3 = await t.call('POST', `/v1/plans/${plan.id}/follow-ups/month_3`, { body: { answers: best } });
    expect(m3.body.scores).toEqual({ economic: 1, social: 1, psychosocial: 1, composite: 1 });

    const closed = await t.call('POST', `/v1/plans/${plan.id}/transitions`, { body: { action: 'complete', outcome: 'sustainably_reintegrated' } });
    expect(closed.body).toMatchObject({ status: 'completed', outcome: 'sustainably_reintegrated', allowedActions: [] });
    expectProblem(await t.call('POST', `/v1/plans/${plan.id}/tasks`, { body: { kind: 'housing', personId: p.personId, dueOn: '2027-01-15', owner: { kind: 'person' }, housing: { support: 'rental_support' } } }), 409, 'plan-closed');

    const events = await reintegrationEventsOf(t, p.caseId, (es) => es.some((e) => e.type === 'puente.reintegration.v1.PlanClosed'));
    const types = events.map((e) => e.type);
    expect(types.filter((x) => x === 'puente.reintegration.v1.FollowUpOverdue')).toHaveLength(1);
    expect(events.find((e) => e.type === 'puente.reintegration.v1.FollowUpOverdue')!.message).toMatchObject({ milestone: Milestone.MONTH_3, planId: plan.id });
    expect(events.filter((e) => e.type === 'puente.reintegration.v1.MilestoneReached').map((e) => (e.message as any).milestone)).toEqual([Milestone.MONTH_1, Milestone.MONTH_3]);
    expect(events.find((e) => e.type === 'puente.reintegration.v1.PlanClosed')!.message).toMatchObject({
      planId: plan.id,
      status: PlanStatus.COMPLETED,
      outcome: PlanOutcome.SUSTAINABLY_REINTEGRATED,
      referringCenterCode: 'GT-CRM-01',
      referringNode: 'GT',
      lastScores: { economic: 1, social: 1, psychosocial: 1, composite: 1 },
    });
    clock.set(new Date());
  });

  it('drops the plan when the last consenting member withdraws, and erases a member\'s goals, needs and tasks on PersonErased', async () => {
    const w = await returnee(t);
    const withdrawn = (await caseworkerPlan([{ personId: w.personId }], w.caseId)).body;
    await consumed(t, await publish(t, 'intake', w.caseId, ConsentWithdrawnSchema, { consentId: w.consentId!, caseId: w.caseId, personId: w.personId, purpose: ConsentPurpose.REINTEGRATION_SUPPORT, withdrawnAt: toTimestamp() }));
    expect((await t.call('GET', `/v1/plans/${withdrawn.id}`)).body).toMatchObject({ status: 'dropped', outcome: 'consent_withdrawn' });

    const e = await returnee(t);
    const plan = (await caseworkerPlan([{ personId: e.personId, goals: ['employment'], specificNeeds: ['women_gbv_survivor_support'] }], e.caseId)).body;
    await t.call('POST', `/v1/plans/${plan.id}/tasks`, { body: { kind: 'birth_certificate', personId: e.personId, dueOn: '2027-01-15', owner: { kind: 'person' } } });
    await consumed(t, await publish(t, 'intake', e.caseId, PersonErasedSchema, { personId: e.personId, caseId: e.caseId, erasedAt: toTimestamp() }));
    const after = (await t.call('GET', `/v1/plans/${plan.id}`)).body;
    expect(after).toMatchObject({ status: 'dropped', outcome: 'person_erased', members: [{ personId: e.personId, goals: [], specificNeeds: [], erased: true }] });
    expect((await t.call('GET', `/v1/plans/${plan.id}/tasks`)).body).toEqual([]);
    // A new plan for an erased person is refused.
    const again = expectProblem(await caseworkerPlan([{ personId: e.personId }], e.caseId), 403, 'consent-required');
    expect(again.errors[0].code).toBe('person-erased');
    const events = await reintegrationEventsOf(t, e.caseId, (es) => es.some((x) => x.type === 'puente.reintegration.v1.PlanClosed'));
    expect(events.find((x) => x.type === 'puente.reintegration.v1.PlanClosed')!.message).toMatchObject({ outcome: PlanOutcome.PERSON_ERASED, status: PlanStatus.DROPPED });
    await eventually('the withdrawn plan closed on the topic', async () => (await reintegrationEventsOf(t, w.caseId, (es) => es.some((x) => x.type === 'puente.reintegration.v1.PlanClosed'))).length > 0);
  });

  it("sets a check-in plan's goals, needs and programs with If-Match, and adds a consenting household member", async () => {
    const p = await returnee(t);
    await consumed(t, await checkIn(p.caseId, p.personId));
    const draft = (await t.call('GET', `/v1/plans?caseId=${p.caseId}`)).body.items[0];
    const programId = await program();
    const change = { members: [{ personId: p.personId, goals: ['self_employment', 'financial_inclusion'], specificNeeds: ['women_economic_empowerment'] }], programIds: [programId] };
    expectProblem(await t.call('PATCH', `/v1/plans/${draft.id}`, { body: change }), 428);
    const etag = (await t.call('GET', `/v1/plans/${draft.id}`)).headers.get('etag')!;
    const changed = await t.call('PATCH', `/v1/plans/${draft.id}`, { body: change, headers: { 'if-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ programIds: [programId], members: [{ goals: ['self_employment', 'financial_inclusion'], specificNeeds: ['women_economic_empowerment'] }], version: draft.version + 1 });
    expectProblem(await t.call('PATCH', `/v1/plans/${draft.id}`, { body: change, headers: { 'if-match': etag } }), 412);
    const stranger = { members: [{ personId: randomUUID(), goals: ['housing'] }] };
    expect(problemFields(expectProblem(await t.call('PATCH', `/v1/plans/${draft.id}`, { body: stranger, headers: { 'if-match': changed.headers.get('etag')! } }), 422))).toEqual(['members[0].personId']);

    const child = await returnee(t, { caseId: p.caseId, ageBand: AgeBand.AGED_0_TO_4, consent: false });
    const refused = expectProblem(await t.call('POST', `/v1/plans/${draft.id}/members`, { body: { personId: child.personId, role: 'child', goals: ['health'] } }), 403, 'consent-required');
    expect(refused.errors[0].field).toBe('personId');
    await consentTo(t, p.caseId, child.personId);
    const added = await t.call('POST', `/v1/plans/${draft.id}/members`, { body: { personId: child.personId, role: 'child', goals: ['health'], specificNeeds: ['children_early_childhood_care'] } });
    expect(added.status).toBe(201);
    expect(added.body.members.map((m: any) => m.role)).toEqual(['principal', 'child']);
    expectProblem(await t.call('POST', `/v1/plans/${draft.id}/members`, { body: { personId: child.personId, role: 'child', goals: [] } }), 409, 'already-exists');
  });

  it('opens one plan when two caseworkers open one for the same case at once, and pages plans by cursor', async () => {
    const p = await returnee(t);
    const both = await Promise.all([caseworkerPlan([{ personId: p.personId }], p.caseId), caseworkerPlan([{ personId: p.personId }], p.caseId)]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    expectProblem(both.find((r) => r.status === 409)!, 409, 'already-exists');
    expect(await plansOfCase(p.caseId)).toBe(1);

    const first = await t.call('GET', '/v1/plans?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await t.call('GET', `/v1/plans?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.status).toBe(200);
    const ids = [...first.body.items, ...second.body.items].map((x: any) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    expectProblem(await t.call('GET', `/v1/plans?limit=2&status=active&cursor=${encodeURIComponent(first.body.nextCursor)}`), 400);
  });

  it("takes a consent that names no person for everyone on the case, and follows the directory's newest program version", async () => {
    const p = await returnee(t, { consent: false });
    await consumed(t, await checkIn(p.caseId, p.personId));
    expect(await plansOfCase(p.caseId)).toBe(0);
    await consumed(
      t,
      await publish(t, 'intake', p.caseId, ConsentRecordedSchema, {
        consentId: randomUUID(),
        caseId: p.caseId,
        personId: '',
        purpose: ConsentPurpose.REINTEGRATION_SUPPORT,
        validFrom: toTimestamp(new Date(Date.now() - 60_000)),
        recordedAt: toTimestamp(),
      }),
    );
    expect(await plansOfCase(p.caseId)).toBe(1);

    const programId = await program();
    const closedBefore = { programId, partnerId: 'IOM-GT', label: 'x', pathway: ProgramPathway.REINTEGRATION, node: 'GT', changedAt: toTimestamp() };
    // An older version arriving late changes nothing; a newer one does.
    await consumed(t, await publish(t, 'referral-routing', 'IOM-GT', ProgramChangedSchema, { ...closedBefore, status: ProgramStatus.INACTIVE, version: 1 }));
    const q = await returnee(t);
    expect((await caseworkerPlan([{ personId: q.personId }], q.caseId, { programIds: [programId] })).status).toBe(201);
    await consumed(t, await publish(t, 'referral-routing', 'IOM-GT', ProgramChangedSchema, { ...closedBefore, status: ProgramStatus.INACTIVE, version: 2 }));
    const r = await returnee(t);
    expectProblem(await caseworkerPlan([{ personId: r.personId }], r.caseId, { programIds: [programId] }), 422, 'unknown-code');
  });

  it('lists the sustainability questions by dimension', async () => {
    const res = await t.call('GET', '/v1/sustainability-questions');
    expect(res.status).toBe(200);
    expect(new Set(res.body.map((q: any) => q.dimension))).toEqual(new Set(['economic', 'social', 'psychosocial']));
  });
});
