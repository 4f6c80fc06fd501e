// Assisted voluntary return packages recorded at their origin node (GT, this one) over real HTTP,
// Kafka and PostgreSQL: requested with consent, stages paid out in order (AvrStageDisbursed) and
// acknowledged, and cancelled when the person is erased. Across nodes: avr-federation.http.spec.ts.
import { AvrStageKind, PersonErasedSchema, toTimestamp } from '@puente/contracts';
import { consumed, expectProblem, problemFields, publish, type ReintegrationTestApp, reintegrationEventsOf, returnee, startReintegration } from '../testing/harness';

describe('assisted voluntary return packages (real HTTP, Kafka, PostgreSQL)', () => {
  let t: ReintegrationTestApp;

  beforeAll(async () => {
    t = await startReintegration('avr');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const stages = [
    { kind: 'travel', amountMinor: 450000, currency: 'MXN', plannedOn: '2027-01-10' },
    { kind: 'reintegration_grant', amountMinor: 1200000, currency: 'HNL', plannedOn: '2027-02-10' },
    { kind: 'in_kind', amountMinor: 0, currency: 'HNL', plannedOn: '2027-03-10' },
  ];

  it('pays the stages out in order, each acknowledged, until the package is complete', async () => {
    const p = await returnee(t);
    const created = await t.call('POST', '/v1/avr-packages', { body: { caseId: p.caseId, personId: p.personId, hostNode: 'MX', originNode: 'GT', stages } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'requested', hostNode: 'MX', originNode: 'GT', side: 'local', peerNode: null, stages: stages.map((s, i) => ({ ...s, sequence: i + 1, status: 'planned' })) });
    const id = created.body.id;
    expectProblem(await t.call('POST', `/v1/avr-packages/${id}/stages/2/disburse`), 409, 'earlier-stage-pending');
    expectProblem(await t.call('POST', `/v1/avr-packages/${id}/stages/1/acknowledge`), 409, 'not-disbursed');
    expect((await t.call('POST', `/v1/avr-packages/${id}/stages/1/disburse`)).body.status).toBe('in_progress');
    expectProblem(await t.call('POST', `/v1/avr-packages/${id}/stages/1/disburse`), 409, 'already-done');
    for (const seq of [1, 2, 3]) {
      if (seq > 1) expect((await t.call('POST', `/v1/avr-packages/${id}/stages/${seq}/disburse`)).status).toBe(200);
      expect((await t.call('POST', `/v1/avr-packages/${id}/stages/${seq}/acknowledge`)).status).toBe(200);
    }
    const done = await t.call('GET', `/v1/avr-packages/${id}`);
    expect(done.body.status).toBe('completed');
    expect(done.body.stages.map((s: any) => s.status)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
    expectProblem(await t.call('POST', `/v1/avr-packages/${id}/stages/3/acknowledge`), 409, 'package-closed');
    expectProblem(await t.call('POST', `/v1/avr-packages/${id}/stages/9/disburse`), 404);

    const events = await reintegrationEventsOf(t, p.caseId, (es) => es.filter((e) => e.type === 'puente.reintegration.v1.AvrStageDisbursed').length >= 3);
    expect(events.filter((e) => e.type === 'puente.reintegration.v1.AvrStageDisbursed').map((e) => e.message)).toEqual([
      expect.objectContaining({ packageId: id, sequence: 1, kind: AvrStageKind.TRAVEL, amountMinor: 450000n, currency: 'MXN', disbursingNode: 'GT' }),
      expect.objectContaining({ sequence: 2, kind: AvrStageKind.REINTEGRATION_GRANT, amountMinor: 1200000n }),
      expect.objectContaining({ sequence: 3, kind: AvrStageKind.IN_KIND, amountMinor: 0n }),
    ]);
  });

  it('refuses a package without consent or with bad stages, and cancels open packages of an erased person', async () => {
    const without = await returnee(t, { consent: false });
    expectProblem(await t.call('POST', '/v1/avr-packages', { body: { caseId: without.caseId, personId: without.personId, hostNode: 'MX', originNode: 'GT', stages } }), 403, 'consent-required');
    const p = await returnee(t);
    const bad = await t.call('POST', '/v1/avr-packages', {
      body: { caseId: p.caseId, personId: p.personId, hostNode: 'HN', originNode: 'HN', stages: [{ kind: 'grant', amountMinor: -1, currency: 'lempira', plannedOn: '2027-02-30' }] },
    });
    expect(problemFields(expectProblem(bad, 400)).sort()).toEqual(['stages[0].amountMinor', 'stages[0].currency', 'stages[0].kind']);
    expect(problemFields(expectProblem(await t.call('POST', '/v1/avr-packages', { body: { caseId: p.caseId, personId: p.personId, hostNode: 'HN', originNode: 'HN', stages } }), 400))).toEqual(['originNode']);
    // Neither the host nor the origin is this node (GT): 422, nothing written.
    const elsewhere = await t.call('POST', '/v1/avr-packages', { body: { caseId: p.caseId, personId: p.personId, hostNode: 'MX', originNode: 'HN', stages } });
    expect(problemFields(expectProblem(elsewhere, 422, 'avr-not-here'))).toEqual(['hostNode']);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM avr_package WHERE case_id = $1`, [p.caseId]))[0].n).toBe(0);

    const open = await t.call('POST', '/v1/avr-packages', { body: { caseId: p.caseId, personId: p.personId, hostNode: 'MX', originNode: 'GT', stages } });
    await consumed(t, await publish(t, 'intake', p.caseId, PersonErasedSchema, { personId: p.personId, caseId: p.caseId, erasedAt: toTimestamp() }));
    expect((await t.call('GET', `/v1/avr-packages/${open.body.id}`)).body).toMatchObject({ status: 'cancelled', cancelReason: 'person_erased' });
    expectProblem(await t.call('POST', `/v1/avr-packages/${open.body.id}/stages/1/disburse`), 409, 'package-closed');
  });
});
