import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { PlanClosedSchema, PlanOutcome, PlanStatus, SustainabilityScoresSchema, Topics } from '@puente/contracts';
import { publishEventAs } from '@puente/messaging';
import { eventually } from '@puente/testing';
import { expectProblem, type ReceptionTestApp, startReception } from '../testing/harness';

describe('reintegration outcomes reach the center that referred the person (real Kafka, HTTP and PostgreSQL)', () => {
  let t: ReceptionTestApp;

  beforeAll(async () => {
    t = await startReception('outcomes');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const publish = (caseId: string, over: Record<string, unknown>, eventId?: string) =>
    publishEventAs(
      t.broker,
      { topic: Topics.reintegrationPlan.name, source: '/puente/GT/reintegration', key: caseId },
      PlanClosedSchema,
      {
        planId: randomUUID(),
        caseId,
        status: PlanStatus.COMPLETED,
        outcome: PlanOutcome.SUSTAINABLY_REINTEGRATED,
        lastScores: create(SustainabilityScoresSchema, { economic: 0.75, social: 1, psychosocial: 0.8, composite: 0.85 }),
        referringCenterCode: 'GT-CRM-01',
        referringNode: 'GT',
        closedAt: timestampFromDate(new Date('2027-12-01T15:00:00Z')),
        ...over,
      },
      eventId,
    );

  it('lists each closed plan once for its center, with the last scores, and nothing referred elsewhere', async () => {
    const caseId = randomUUID();
    const kept = randomUUID();
    const dropped = randomUUID();
    // One key, one partition: the ones reception must ignore go first, so seeing the last one means they were handled.
    await publish(caseId, { planId: randomUUID(), referringNode: 'MX', referringCenterCode: 'MX-CRM-01' });
    await publish(caseId, { planId: randomUUID(), referringCenterCode: 'GT-CRM-99' });
    await publish(caseId, { planId: randomUUID(), referringCenterCode: '' });
    await publish(caseId, { planId: kept });
    await publish(caseId, { planId: kept }); // redelivered under a new event id
    await publish(caseId, { planId: dropped, status: PlanStatus.DROPPED, outcome: PlanOutcome.WITHDREW, lastScores: undefined });

    // The run's broker also holds other suites' PlanClosed events (read from the beginning): only this case's count here.
    const ofThisCase = (items: { caseId: string; planId: string }[]) => items.filter((o) => o.caseId === caseId);
    const items: { planId: string; caseId: string }[] = await eventually('both outcomes at GT-CRM-01', async () => {
      const r = await t.call('GET', '/v1/centers/GT-CRM-01/reintegration-outcomes?limit=200');
      return r.status === 200 && ofThisCase(r.body.items).length === 2 ? ofThisCase(r.body.items) : null;
    }, 75_000); // the consumer joins its group on a fresh topic first: seconds alone, longer in a full run
    const byPlan = Object.fromEntries(items.map((o: { planId: string; caseId: string }) => [o.planId, o]));
    expect(byPlan[kept]).toEqual({
      planId: kept,
      caseId,
      centerCode: 'GT-CRM-01',
      status: 'completed',
      outcome: 'sustainably_reintegrated',
      lastScores: { economic: 0.75, social: 1, psychosocial: 0.8, composite: 0.85 },
      closedAt: '2027-12-01T15:00:00.000Z',
    });
    expect(byPlan[dropped]).toMatchObject({ status: 'dropped', outcome: 'withdrew', lastScores: null });
    const rows = await t.ds.query(`SELECT center_code FROM reintegration_outcome WHERE case_id = $1`, [caseId]);
    expect(rows).toEqual([{ center_code: 'GT-CRM-01' }, { center_code: 'GT-CRM-01' }]);

    const withdrew = await t.call('GET', '/v1/centers/GT-CRM-01/reintegration-outcomes?outcome=withdrew&limit=200');
    expect(withdrew.body.items.every((o: { outcome: string }) => o.outcome === 'withdrew')).toBe(true);
    expect(ofThisCase(withdrew.body.items).map((o: { planId: string }) => o.planId)).toEqual([dropped]);
  }, 90_000);

  it('answers only within the caller’s jurisdiction and for known centers, with problem+json', async () => {
    expectProblem(await t.call('GET', '/v1/centers/GT-CRM-01/reintegration-outcomes', { token: await t.token({ jurisdictions: ['HN'] }) }), 403);
    expectProblem(await t.call('GET', '/v1/centers/GT-NOPE-01/reintegration-outcomes'), 404);
    expectProblem(await t.call('GET', '/v1/centers/GT-CRM-01/reintegration-outcomes?outcome=happy'), 400);
    expectProblem(await t.call('GET', '/v1/centers/GT-CRM-01/reintegration-outcomes', { token: await t.token({ scopes: ['centers:admin'] }) }), 403);
  });
});
