// Certificate validation tasks over real HTTP and PostgreSQL: a certificate of a person's skills
// profile is validated through a certificate_validation task on their plan (due date, owner); the
// task's completion decides the certificate, the profile shows each certificate's task, and taking
// the certificate out of the profile cancels its open task.
import { randomUUID } from 'node:crypto';
import { expectProblem, problemFields, type ReintegrationTestApp, returnee, startReintegration } from '../testing/harness';

const profile = (certificates: Record<string, unknown>[]) => ({
  languages: [{ code: 'es', level: 'C2' }],
  occupations: [{ iscoCode: '7112', years: 6 }],
  certificates,
  workAbroad: [],
  educationLevel: 'isced_3',
});
const WELDING = { title: 'AWS Certified Welder', issuingCountry: 'US', iscoCode: '7212', issuedOn: '2021-05-14' };
const FOOD = { title: 'ServSafe Food Handler', issuingCountry: 'US', iscoCode: '5120' };
const OWNER = { kind: 'caseworker', staffId: 'GT-CRM-01/sw-0042' };

describe('certificate validation tasks (real HTTP, PostgreSQL): the task decides the certificate in the skills profile', () => {
  let t: ReintegrationTestApp;

  beforeAll(async () => {
    t = await startReintegration('certtasks');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  /** A returnee with a plan and a skills profile holding `certificates`; the profile's certificate ids in order. */
  async function personWithCertificates(certificates: Record<string, unknown>[]) {
    const { caseId, personId } = await returnee(t);
    const plan = await t.call('POST', '/v1/plans', { body: { caseId, members: [{ personId, role: 'principal', goals: ['employment'] }], referringCenterCode: 'GT-CRM-01' } });
    expect(plan.status).toBe(201);
    const put = await t.call('PUT', `/v1/persons/${personId}/skills-profile`, { body: profile(certificates) });
    expect(put.status).toBe(201);
    return { personId, planId: plan.body.id as string, certificateIds: put.body.certificates.map((c: { certificateId: string }) => c.certificateId) as string[] };
  }

  const validationTask = (planId: string, personId: string, certificateId?: string, dueOn = '2027-03-31') =>
    t.call('POST', `/v1/plans/${planId}/tasks`, {
      body: { kind: 'certificate_validation', personId, dueOn, owner: OWNER, certificate: { certificateKind: 'technical_or_trade', issuingCountry: 'US', ...(certificateId && { certificateId }) } },
    });

  const certificatesOf = async (personId: string) => (await t.call('GET', `/v1/persons/${personId}/skills-profile`)).body.certificates as { certificateId: string; validation: string; validationTask: unknown }[];

  it('links a task to a certificate, shows it on the profile, and completing it validates the certificate (it then counts in matching)', async () => {
    const { personId, planId, certificateIds } = await personWithCertificates([WELDING, FOOD]);
    const [welding, food] = certificateIds;
    expect((await certificatesOf(personId)).map((c) => c.validationTask)).toEqual([null, null]);

    const task = await validationTask(planId, personId, welding);
    expect(task.status).toBe(201);
    expect(task.body).toMatchObject({ kind: 'certificate_validation', status: 'open', dueOn: '2027-03-31', owner: OWNER, details: { certificate: { certificateId: welding } } });
    expect(await certificatesOf(personId)).toEqual([
      expect.objectContaining({ certificateId: welding, validation: 'pending', validationTask: { taskId: task.body.id, planId, status: 'open', dueOn: '2027-03-31' } }),
      expect.objectContaining({ certificateId: food, validationTask: null }),
    ]);

    // One open task per certificate; the direct validation defers to the task.
    expectProblem(await validationTask(planId, personId, welding), 409, 'certificate-has-task');
    expectProblem(await t.call('POST', `/v1/persons/${personId}/skills-profile/certificates/${welding}/validation`, { body: { outcome: 'validated' } }), 409, 'certificate-has-task');

    // The outcome is required for a linked task, and refused on any other task.
    expect(problemFields(expectProblem(await t.call('POST', `/v1/plans/${planId}/tasks/${task.body.id}/complete`), 400))).toEqual(['certificateOutcome']);
    expect(problemFields(expectProblem(await t.call('POST', `/v1/plans/${planId}/tasks/${task.body.id}/complete`, { body: { certificateOutcome: 'recognized' } }), 400))).toEqual(['certificateOutcome']);
    const other = await t.call('POST', `/v1/plans/${planId}/tasks`, { body: { kind: 'national_id', personId, dueOn: '2027-01-15', owner: { kind: 'person' } } });
    expect(problemFields(expectProblem(await t.call('POST', `/v1/plans/${planId}/tasks/${other.body.id}/complete`, { body: { certificateOutcome: 'validated' } }), 400))).toEqual(['certificateOutcome']);
    expect((await t.ds.query(`SELECT status FROM plan_task WHERE id = $1`, [task.body.id]))[0].status).toBe('open');

    const done = await t.call('POST', `/v1/plans/${planId}/tasks/${task.body.id}/complete`, { body: { certificateOutcome: 'validated' } });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    expect(await certificatesOf(personId)).toEqual([
      expect.objectContaining({ certificateId: welding, validation: 'validated', validatedAt: expect.any(String), validationTask: expect.objectContaining({ taskId: task.body.id, status: 'completed' }) }),
      expect.objectContaining({ certificateId: food, validation: 'pending' }),
    ]);
    const [features] = await t.ds.query(`SELECT occupations FROM match_profile WHERE person_id = $1`, [personId]);
    expect(features.occupations).toEqual(['7112', '7212']);

    // Decided: no second task, no second decision.
    expectProblem(await validationTask(planId, personId, welding), 409, 'certificate-already-decided');
    expectProblem(await t.call('POST', `/v1/plans/${planId}/tasks/${task.body.id}/complete`, { body: { certificateOutcome: 'rejected' } }), 409, 'already-completed');

    // The profile's own records (GETs, and what the plan's routes did to it: read to link, written to
    // decide; refused attempts roll theirs back).
    const audit = await t.ds.query(`SELECT action, object_type, purpose FROM audit_record WHERE object_id = $1 AND outcome = 'success' ORDER BY seq`, [personId]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['skills-profile.write', 'skills-profile.read', 'skills-profile.read', 'skills-profile.read', 'skills-profile.validate', 'skills-profile.read']);
    expect(audit.every((a: { object_type: string; purpose: string }) => a.object_type === 'person' && a.purpose === 'case-management')).toBe(true);
  });

  it('records a certificate not recognized, and keeps an unlinked certificate_validation task as before', async () => {
    const { personId, planId, certificateIds } = await personWithCertificates([FOOD]);
    const task = await validationTask(planId, personId, certificateIds[0]);
    const done = await t.call('POST', `/v1/plans/${planId}/tasks/${task.body.id}/complete`, { body: { certificateOutcome: 'rejected' } });
    expect(done.status).toBe(200);
    expect(await certificatesOf(personId)).toEqual([expect.objectContaining({ validation: 'rejected', validationTask: expect.objectContaining({ status: 'completed' }) })]);
    const [features] = await t.ds.query(`SELECT occupations FROM match_profile WHERE person_id = $1`, [personId]);
    expect(features.occupations).toEqual(['7112']);

    const unlinked = await validationTask(planId, personId);
    expect(unlinked.status).toBe(201);
    expect((await t.call('POST', `/v1/plans/${planId}/tasks/${unlinked.body.id}/complete`)).status).toBe(200);
  });

  it('refuses a task for a certificate the member does not have (nothing written)', async () => {
    const { personId, planId } = await personWithCertificates([WELDING]);
    const unknown = expectProblem(await validationTask(planId, personId, randomUUID()), 422, 'unknown-certificate');
    expect(problemFields(unknown)).toEqual(['certificate.certificateId']);
    expect(problemFields(expectProblem(await validationTask(planId, personId, 'not-a-uuid'), 400))).toEqual(['certificate.certificateId']);
    // Another person's certificate is not this member's.
    const other = await personWithCertificates([FOOD]);
    expectProblem(await validationTask(planId, personId, other.certificateIds[0]), 422, 'unknown-certificate');
    expect(await t.ds.query(`SELECT id FROM plan_task WHERE plan_id = $1`, [planId])).toEqual([]);
  });

  it('cancels the open task when the certificate is taken out of the profile, in the same change', async () => {
    const { personId, planId, certificateIds } = await personWithCertificates([WELDING, FOOD]);
    const [welding, food] = certificateIds;
    const weldingTask = await validationTask(planId, personId, welding);
    const foodTask = await validationTask(planId, personId, food, '2027-04-30');
    expect([weldingTask.status, foodTask.status]).toEqual([201, 201]);

    // Keep the food certificate, drop the welding one.
    const put = await t.call('PUT', `/v1/persons/${personId}/skills-profile`, { body: profile([{ ...FOOD, certificateId: food }]) });
    expect(put.status).toBe(200);
    expect(put.body.certificates).toEqual([expect.objectContaining({ certificateId: food, validationTask: expect.objectContaining({ taskId: foodTask.body.id, status: 'open' }) })]);
    const tasks = await t.call('GET', `/v1/plans/${planId}/tasks`);
    expect(tasks.body.map((x: { id: string; status: string }) => [x.id, x.status])).toEqual([
      [weldingTask.body.id, 'cancelled'],
      [foodTask.body.id, 'open'],
    ]);
    expectProblem(await t.call('POST', `/v1/plans/${planId}/tasks/${weldingTask.body.id}/complete`, { body: { certificateOutcome: 'validated' } }), 409, 'already-completed');
  });
});
