// Reintegration across two country nodes, for real: MX's and GT's reintegration, each with its own
// Kafka broker and PostgreSQL database, joined by a real MirrorMaker 2.
// - Assisted voluntary return: a returnee at MX (the host) asks to go home to GT (the origin): the
//   package is requested at MX, sealed to GT, paid out there stage by stage (AvrStageDisbursed at
//   GT), and MX sees each stage paid out and acknowledged. The protection block keeps a refugee's
//   package from their nationality's node.
// - Outcomes: a plan at GT referred by a Mexican center closes, and MX's topic carries its
//   PlanClosed (GT's event) for the center's reception.
import { type PlanClosed, PlanOutcome, PersonErasedSchema, Topics, toTimestamp, VulnerabilityFlag } from '@puente/contracts';
import { readEventsOf } from '@puente/messaging';
import { startTwoNodeTopology, type TwoNodeTopology } from '@puente/federation';
import { eventually } from '@puente/testing';
import { consumed, type DecodedEvent, expectProblem, publish, type ReintegrationTestApp, reintegrationEventsOf, returnee, startReintegration } from '../testing/harness';

describe('reintegration across nodes (GT and MX, MirrorMaker 2)', () => {
  let topology: TwoNodeTopology;
  let gt: ReintegrationTestApp;
  let mx: ReintegrationTestApp;
  const atMx = () => mx.token({ partnerId: 'MX-MRC-01', node: 'MX', jurisdictions: ['MX'] });

  beforeAll(async () => {
    topology = await startTwoNodeTopology(`spec-${process.env.PUENTE_TEST_RUN ?? 'ci'}-reintx`);
    gt = await startReintegration('reintxgt', { env: { PUENTE_NODE: 'GT', KAFKA_BROKERS: topology.gtBrokers } });
    mx = await startReintegration('reintxmx', { env: { PUENTE_NODE: 'MX', KAFKA_BROKERS: topology.mxBrokers } });
    await topology.startMirror();
  }, 20 * 60_000 + 300_000);

  afterAll(async () => {
    try {
      await gt?.close();
      await mx?.close();
    } finally {
      await topology?.stop();
    }
  }, 120_000);

  const stages = [
    { kind: 'travel', amountMinor: 450000, currency: 'MXN', plannedOn: '2027-01-10' },
    { kind: 'reintegration_grant', amountMinor: 300000, currency: 'GTQ', plannedOn: '2027-02-10' },
    { kind: 'in_kind', amountMinor: 0, currency: 'GTQ', plannedOn: '2027-03-10' },
  ];

  it('is requested at MX, paid out stage by stage at GT, and MX sees every stage paid and acknowledged', async () => {
    const p = await returnee(mx, { nationality: 'GT', siteCode: 'MX-MRC-01' });
    const token = await atMx();
    const created = await mx.call('POST', '/v1/avr-packages', { token, body: { caseId: p.caseId, personId: p.personId, hostNode: 'MX', originNode: 'GT', stages } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ side: 'host', peerNode: 'GT', status: 'requested', hostNode: 'MX', originNode: 'GT' });
    const id = created.body.id as string;
    // The host's copy follows the origin: nothing is paid out at MX.
    expectProblem(await mx.call('POST', `/v1/avr-packages/${id}/stages/1/disburse`, { token }), 409, 'paid-at-origin');

    const atOrigin = await eventually('package at GT', async () => {
      const res = await gt.call('GET', `/v1/avr-packages/${id}`);
      return res.status === 200 ? res.body : null;
    }, 180_000);
    expect(atOrigin).toMatchObject({ side: 'origin', peerNode: 'MX', caseId: p.caseId, personId: p.personId, status: 'requested', stages: stages.map((s, i) => ({ ...s, sequence: i + 1, status: 'planned' })) });
    // GT pays out in order, like any package of its own.
    expectProblem(await gt.call('POST', `/v1/avr-packages/${id}/stages/2/disburse`), 409, 'earlier-stage-pending');
    for (const seq of [1, 2, 3]) {
      expect((await gt.call('POST', `/v1/avr-packages/${id}/stages/${seq}/disburse`)).status).toBe(200);
      expect((await gt.call('POST', `/v1/avr-packages/${id}/stages/${seq}/acknowledge`)).status).toBe(200);
    }
    expect((await gt.call('GET', `/v1/avr-packages/${id}`)).body.status).toBe('completed');

    // AvrStageDisbursed is the origin's event (GT's cluster), one per stage.
    // Delivery is at least once: one per CloudEvents id.
    const disbursedOf = (es: DecodedEvent[]) => [...new Map(es.filter((e) => e.type === 'puente.reintegration.v1.AvrStageDisbursed').map((e) => [e.headers.ce_id, e.message as { sequence: number; disbursingNode: string; packageId: string }])).values()];
    const disbursed = disbursedOf(await reintegrationEventsOf(gt, p.caseId, (es) => disbursedOf(es).length >= 3, 120_000));
    expect(disbursed.map((m) => [m.packageId, m.sequence, m.disbursingNode])).toEqual([[id, 1, 'GT'], [id, 2, 'GT'], [id, 3, 'GT']]);

    // MX sees each stage paid and acknowledged, and the package completed.
    const followed = await eventually('completed at MX', async () => {
      const res = await mx.call('GET', `/v1/avr-packages/${id}`, { token });
      return res.body.status === 'completed' ? res.body : null;
    }, 180_000);
    for (const s of followed.stages) {
      expect(s).toMatchObject({ status: 'acknowledged', disbursedAt: expect.any(String), acknowledgedAt: expect.any(String) });
    }
    // Every envelope either side sent was answered with an applied receipt; each crossing audited.
    await eventually('receipts at MX', async () => (await mx.ds.query(`SELECT 1 FROM federation_sent_envelope WHERE subject = $1 AND receipt_outcome IS DISTINCT FROM 'applied'`, [p.caseId])).length === 0, 120_000);
    await eventually('receipts at GT', async () => (await gt.ds.query(`SELECT 1 FROM federation_sent_envelope WHERE subject = $1 AND receipt_outcome IS DISTINCT FROM 'applied'`, [p.caseId])).length === 0, 120_000);
    expect((await mx.ds.query(`SELECT count(*)::int AS n FROM federation_sent_envelope WHERE subject = $1 AND kind = 'avr'`, [p.caseId]))[0].n).toBe(1);
    expect((await gt.ds.query(`SELECT count(*)::int AS n FROM federation_sent_envelope WHERE subject = $1 AND kind = 'avr'`, [p.caseId]))[0].n).toBe(6);
    expect((await gt.ds.query(`SELECT DISTINCT action FROM audit_record WHERE object_id = $1 ORDER BY action`, [id])).map((r: { action: string }) => r.action)).toContain('avr-package.cross-border-receive');
    expect((await mx.ds.query(`SELECT DISTINCT action FROM audit_record WHERE object_id = $1 ORDER BY action`, [id])).map((r: { action: string }) => r.action)).toContain('avr-package.cross-border-update-receive');
    expect(await mx.ds.query(`SELECT receiver, channel FROM delivery_ledger WHERE case_id = $1`, [p.caseId])).toEqual([{ receiver: 'GT', channel: 'avr' }]);
  }, 600_000);

  it.each([
    ['a recognized refugee', VulnerabilityFlag.RECOGNIZED_REFUGEE],
    ['an asylum claimant', VulnerabilityFlag.ASYLUM_CLAIM],
    ['a person with a fear of return', VulnerabilityFlag.FEAR_OF_RETURN],
  ])('never sends a package for %s toward their nationality node (409 protection-block, nothing written or sent)', async (_who, flag) => {
    const p = await returnee(mx, { nationality: 'GT', flags: [flag], siteCode: 'MX-MRC-01' });
    const refused = await mx.call('POST', '/v1/avr-packages', { token: await atMx(), body: { caseId: p.caseId, personId: p.personId, hostNode: 'MX', originNode: 'GT', stages } });
    expect(expectProblem(refused, 409, 'avr-not-allowed').reason).toBe('protection-block');
    expect(await mx.ds.query(`SELECT 1 FROM avr_package WHERE case_id = $1`, [p.caseId])).toEqual([]);
    expect(await mx.ds.query(`SELECT 1 FROM outbox_message WHERE message_key = $1 AND topic LIKE 'puente.exchange.%'`, [p.caseId])).toEqual([]);
  });

  it('an erasure at MX cancels the package at GT too', async () => {
    const p = await returnee(mx, { nationality: 'GT', siteCode: 'MX-MRC-01' });
    const token = await atMx();
    const id = (await mx.call('POST', '/v1/avr-packages', { token, body: { caseId: p.caseId, personId: p.personId, hostNode: 'MX', originNode: 'GT', stages } })).body.id as string;
    await eventually('package at GT', async () => (await gt.call('GET', `/v1/avr-packages/${id}`)).status === 200, 180_000);
    await consumed(mx, await publish(mx, 'intake', p.caseId, PersonErasedSchema, { personId: p.personId, caseId: p.caseId, erasedAt: toTimestamp() }));
    expect((await mx.call('GET', `/v1/avr-packages/${id}`, { token })).body).toMatchObject({ status: 'cancelled', cancelReason: 'person_erased' });
    const cancelled = await eventually('cancelled at GT', async () => {
      const res = await gt.call('GET', `/v1/avr-packages/${id}`);
      return res.body.status === 'cancelled' ? res.body : null;
    }, 180_000);
    expect(cancelled.cancelReason).toBe('person_erased');
    expectProblem(await gt.call('POST', `/v1/avr-packages/${id}/stages/1/disburse`), 409, 'package-closed');
  }, 400_000);

  /** A plan at GT for a returnee, referred by `center`, activated and completed; its id. */
  async function closedPlanAtGt(center: string, person: { nationality: string; flags?: VulnerabilityFlag[] }): Promise<{ caseId: string; planId: string }> {
    const p = await returnee(gt, person);
    const plan = await gt.call('POST', '/v1/plans', { body: { caseId: p.caseId, members: [{ personId: p.personId, role: 'principal', goals: ['employment'] }], referringCenterCode: center } });
    expect(plan.status).toBe(201);
    expect(plan.body).toMatchObject({ referringCenterCode: center, referringNode: center.slice(0, 2) });
    expect((await gt.call('POST', `/v1/plans/${plan.body.id}/transitions`, { body: { action: 'activate' } })).status).toBe(200);
    expect((await gt.call('POST', `/v1/plans/${plan.body.id}/transitions`, { body: { action: 'complete', outcome: 'sustainably_reintegrated' } })).status).toBe(200);
    return { caseId: p.caseId, planId: plan.body.id };
  }

  it("sends a plan's outcome to the referring center's node, where it is told as GT's PlanClosed", async () => {
    const { caseId, planId } = await closedPlanAtGt('MX-CRM-01', { nationality: 'GT' });
    const events = await readEventsOf(mx.broker, Topics.reintegrationPlan.name, caseId, (es) => es.some((e) => e.type === 'puente.reintegration.v1.PlanClosed'), 180_000);
    const told = events.find((e) => e.type === 'puente.reintegration.v1.PlanClosed');
    expect(told?.headers.ce_source).toBe('/puente/gt/reintegration');
    expect(told?.message as PlanClosed).toMatchObject({ planId, caseId, outcome: PlanOutcome.SUSTAINABLY_REINTEGRATED, referringCenterCode: 'MX-CRM-01', referringNode: 'MX' });
    await eventually('receipt at GT', async () => (await gt.ds.query(`SELECT receipt_outcome FROM federation_sent_envelope WHERE subject = $1 AND kind = 'reintegration-outcome'`, [caseId]))[0]?.receipt_outcome === 'applied', 120_000);
    expect((await mx.ds.query(`SELECT DISTINCT action FROM audit_record WHERE object_id = $1`, [planId])).map((r: { action: string }) => r.action)).toEqual(['plan.outcome-receive']);
  }, 400_000);

  it('keeps the outcome at GT for a plan referred by its own center, and under the protection block', async () => {
    const local = await closedPlanAtGt('GT-CRM-01', { nationality: 'GT' });
    // A Mexican with a fear of return, referred by a Mexican center: nothing about them goes to MX.
    const blocked = await closedPlanAtGt('MX-CRM-01', { nationality: 'MX', flags: [VulnerabilityFlag.FEAR_OF_RETURN] });
    for (const { caseId } of [local, blocked]) {
      const types: { topic: string; event_type: string }[] = await gt.ds.query(`SELECT topic, event_type FROM outbox_message WHERE message_key = $1 ORDER BY id`, [caseId]);
      expect(types.map((t) => t.event_type)).toContain('puente.reintegration.v1.PlanClosed');
      expect(types.filter((t) => t.topic.startsWith('puente.exchange.'))).toEqual([]);
    }
  }, 120_000);
});
