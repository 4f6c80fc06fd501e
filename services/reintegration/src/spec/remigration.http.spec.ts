// Re-migration flags over real HTTP, Kafka and PostgreSQL: intake's PossibleDuplicateFound (a
// person registered again at an MRC here, or found by another node's match keys) flags the active
// or completed plans the person is a member of, once per duplicate record (RemigrationFlagged).
import { randomUUID } from 'node:crypto';
import { PossibleDuplicateFoundSchema, toTimestamp } from '@puente/contracts';
import { consumed, type DecodedEvent, publish, type ReintegrationTestApp, reintegrationEventsOf, returnee, startReintegration } from '../testing/harness';

describe('re-migration flags (real HTTP, Kafka, PostgreSQL)', () => {
  let t: ReintegrationTestApp;

  beforeAll(async () => {
    t = await startReintegration('remig');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  async function planOf(status: 'draft' | 'active'): Promise<{ caseId: string; personId: string; planId: string }> {
    const p = await returnee(t);
    const plan = await t.call('POST', '/v1/plans', { body: { caseId: p.caseId, members: [{ personId: p.personId, role: 'principal', goals: ['employment'] }] } });
    expect(plan.status).toBe(201);
    if (status === 'active') expect((await t.call('POST', `/v1/plans/${plan.body.id}/transitions`, { body: { action: 'activate' } })).status).toBe(200);
    return { caseId: p.caseId, personId: p.personId, planId: plan.body.id };
  }

  const duplicate = (o: { personId: string; otherReference: string; otherNode: string; duplicateId?: string }) =>
    publish(t, 'intake', randomUUID(), PossibleDuplicateFoundSchema, { caseId: randomUUID(), rules: ['FULLNAME_DOB'], score: 0.97, foundAt: toTimestamp(), duplicateId: o.duplicateId ?? randomUUID(), ...o });

  it('flags an active plan when its member registers again here, and when another node finds their match keys', async () => {
    const p = await planOf('active');
    // Registered again at a GT center: the new record names the earlier person as the other one.
    const here = randomUUID();
    await consumed(t, await duplicate({ personId: randomUUID(), otherReference: p.personId, otherNode: 'GT', duplicateId: here }));
    // The same duplicate told twice flags once.
    await consumed(t, await duplicate({ personId: randomUUID(), otherReference: p.personId, otherNode: 'GT', duplicateId: here }));
    // Mexico's keys matched this person (intake records it with this node's person and MX's reference).
    await consumed(t, await duplicate({ personId: p.personId, otherReference: 'mx-ref-opaque', otherNode: 'MX' }));
    const plan = (await t.call('GET', `/v1/plans/${p.planId}`)).body;
    expect(plan.remigration).toEqual([
      { personId: p.personId, seenAtNode: 'GT', flaggedAt: expect.any(String) },
      { personId: p.personId, seenAtNode: 'MX', flaggedAt: expect.any(String) },
    ]);
    const flaggedOf = (es: DecodedEvent[]) => [...new Map(es.filter((e) => e.type === 'puente.reintegration.v1.RemigrationFlagged').map((e) => [e.headers.ce_id, e.message as { seenAtNode: string; planId: string; personId: string }])).values()];
    const flagged = flaggedOf(await reintegrationEventsOf(t, p.caseId, (es) => flaggedOf(es).length >= 2, 60_000));
    expect(flagged.map((m) => [m.planId, m.personId, m.seenAtNode]).sort()).toEqual([
      [p.planId, p.personId, 'GT'],
      [p.planId, p.personId, 'MX'],
    ]);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM plan_remigration WHERE plan_id = $1`, [p.planId]))[0].n).toBe(2);
  });

  it('does not flag a draft plan, nor anyone else', async () => {
    const draft = await planOf('draft');
    await consumed(t, await duplicate({ personId: randomUUID(), otherReference: draft.personId, otherNode: 'GT' }));
    expect((await t.call('GET', `/v1/plans/${draft.planId}`)).body.remigration).toEqual([]);
    const active = await planOf('active');
    await consumed(t, await duplicate({ personId: randomUUID(), otherReference: randomUUID(), otherNode: 'GT' }));
    expect((await t.call('GET', `/v1/plans/${active.planId}`)).body.remigration).toEqual([]);
  });
});
