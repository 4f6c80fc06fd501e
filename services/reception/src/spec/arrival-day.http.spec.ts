import { randomUUID } from 'node:crypto';
import { decodeEvent, type EventType, Topics } from '@puente/contracts';
import { readTopic, type RecordedEvent } from '@puente/messaging';
import { eventually } from '@puente/testing';
import { expectProblem, type ReceptionTestApp, startReception } from '../testing/harness';
import { type IntakeProcess, startIntakeProcess } from '../testing/intake-process';
import { returnee } from '../testing/manifest-fixtures';
import { startScreeningProcess } from '../testing/processes';

const PARTNER = { scopes: ['manifests:write'], partnerId: 'MX-INM', clientId: 'inm-manifest-gateway', jurisdictions: ['GT'] };
const SEED = 100 + (process.pid % 50);
const today = () => new Date().toISOString().slice(0, 10);

describe('arrival day: check-in, consents, services, protection concerns, children, operations (real HTTP, Kafka, PostgreSQL; intake and screening in their own processes)', () => {
  let intake: IntakeProcess;
  let screening: { stop(): Promise<void> };
  let t: ReceptionTestApp;
  let partner: string;
  let arrivals: { id: string; caseId: string; personId: string; status: string }[];

  const eventsOf = async (topic: string, caseId: string, type: string, until: (n: number) => boolean = (n) => n >= 1): Promise<RecordedEvent[]> => {
    const pick = (seen: RecordedEvent[]) => seen.filter((e) => e.key === caseId && e.headers.ce_type === type);
    return pick(await readTopic(t.broker, topic, { until: (seen) => until(pick(seen).length), timeoutMs: 60_000 }));
  };

  beforeAll(async () => {
    intake = await startIntakeProcess('arrivalday');
    screening = await startScreeningProcess('arrivalday');
    t = await startReception('arrivalday', { env: { INTAKE_URL: intake.base, INTAKE_TOKEN_FILE: intake.tokenFile, MANIFEST_RETRY_INTERVAL_MS: '300' } });
    partner = await t.token(PARTNER);
    expect((await intake.call('POST', '/v1/sites', { code: 'GT-CRM-01', name: 'Centro de Recepción de Retornados La Aurora', kind: 'reception' })).status).toBe(201);
    const persons = [
      returnee(SEED, 0),
      returnee(SEED, 1, { protectionNotes: 'Says he cannot go back to his colonia' }),
      returnee(SEED, 2, { birthDate: '2011-03-09', unaccompaniedChild: true }),
      returnee(SEED, 3),
      returnee(SEED, 4, { medicalNotes: 'Hypertension, out of medication since Tuesday' }),
    ];
    const res = await t.call('POST', '/v1/manifests', { token: partner, body: { movement: { reference: `INM-TAP-${SEED}`, kind: 'land', centerCode: 'GT-CRM-01', expectedOn: today(), returningCountry: 'MX' }, persons } });
    expect(res.status).toBe(201);
    await eventually('manifest matched', async () => (await t.call('GET', `/v1/manifests/${res.body.id}`, { token: partner })).body.status === 'matched', 60_000);
    const list = await t.call('GET', `/v1/centers/GT-CRM-01/arrivals?date=${today()}`);
    arrivals = list.body.filter((a: { movementId: string }) => a.movementId === res.body.id);
    expect(arrivals).toHaveLength(5);
  }, 300_000);

  afterAll(async () => {
    await t?.close();
    await screening?.stop();
    await intake?.stop();
  });

  it('checks a person in once when two desks try at the same moment: one wins, the other gets 409', async () => {
    const [a, b] = await Promise.all(
      ['GT-CRM-01/desk-1', 'GT-CRM-01/desk-2'].map(async (desk) => t.call('POST', `/v1/arrivals/${arrivals[0].id}/check-in`, { body: { outcome: 'arrived', desk }, token: await t.token({ clientId: `${desk}-app` }) })),
    );
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expectProblem([a, b].find((r) => r.status === 409)!, 409, 'already-checked-in');
    const checkedIn = await eventsOf(Topics.receptionArrival.name, arrivals[0].caseId, 'puente.reception.v1.PersonCheckedIn');
    expect(checkedIn).toHaveLength(1);
  });

  it('records the consents given at check-in at intake (reception_services, reintegration_support)', async () => {
    const p = arrivals[3];
    const res = await t.call('POST', `/v1/arrivals/${p.id}/check-in`, { body: { outcome: 'arrived', desk: 'GT-CRM-01/desk-1', consents: ['reception_services', 'reintegration_support'], consentMethod: 'written' } });
    expect(res.status).toBe(200);
    const consents = await intake.call('GET', `/v1/cases/${p.caseId}/consents`);
    expect(consents.status).toBe(200);
    const purposes = (consents.body.items ?? consents.body).map((c: { purpose: string }) => c.purpose);
    expect(purposes).toEqual(expect.arrayContaining(['reception_services', 'reintegration_support']));
    expectProblem(await t.call('POST', `/v1/arrivals/${arrivals[1].id}/check-in`, { body: { outcome: 'arrived', desk: 'd', consents: ['reception_services'] } }), 400);
  });

  it('records services delivered (who, when) and refuses one the center does not offer', async () => {
    for (const service of ['meal', 'hygiene_kit', 'meal']) expect((await t.call('POST', `/v1/arrivals/${arrivals[0].id}/services`, { body: { service } })).status).toBe(201);
    expectProblem(await t.call('POST', `/v1/arrivals/${arrivals[0].id}/services`, { body: { service: 'cash_grant' } }), 422, 'service-not-offered');
    expectProblem(await t.call('POST', `/v1/arrivals/${arrivals[4].id}/services`, { body: { service: 'meal' } }), 409, 'arrival-not-ready');
    const delivered = await eventsOf(Topics.receptionArrival.name, arrivals[0].caseId, 'puente.reception.v1.ReceptionServiceDelivered', (n) => n >= 3);
    expect(delivered).toHaveLength(3);
  });

  it('a fear of return raised at the desk reaches screening, which opens a pending screening for the case', async () => {
    const p = arrivals[1];
    expect((await t.call('POST', `/v1/arrivals/${p.id}/check-in`, { body: { outcome: 'arrived', desk: 'GT-CRM-01/desk-2' } })).status).toBe(200);
    const raised = await t.call('POST', `/v1/arrivals/${p.id}/protection-concerns`, { body: { concerns: ['fear_of_return'] } });
    expect(raised.status).toBe(201);
    const [requested] = await eventsOf(Topics.screening.name, p.caseId, 'puente.screening.v1.ScreeningRequested');
    const message = decodeEvent(requested.headers.ce_type as EventType, requested.value) as unknown as { caseId: string; concernId: string };
    expect(message).toMatchObject({ caseId: p.caseId, concernId: raised.body.id });
  });

  it('an unaccompanied child cannot leave without the hand-over to PGN, nor be released to an unverified adult', async () => {
    const child = arrivals[2];
    expect((await t.call('POST', `/v1/arrivals/${child.id}/check-in`, { body: { outcome: 'arrived', desk: 'GT-CRM-01/desk-3' } })).status).toBe(200);
    const ops = await t.call('GET', `/v1/centers/GT-CRM-01/operations?date=${today()}`);
    expect(ops.body.childrenAwaitingHandover).toBeGreaterThanOrEqual(1);
    const refused = expectProblem(await t.call('POST', `/v1/arrivals/${child.id}/check-out`), 409, 'child-handover-required');
    expect(refused.authorityPartnerId).toBe('GT-PGN');
    expectProblem(await t.call('POST', `/v1/arrivals/${child.id}/handover`, { body: { receivingOfficer: 'PGN-GT/officer-117', placement: 'verified_guardian', verificationReference: 'PGN-GT-2026-0042', guardianVerified: false } }), 422);
    const handed = await t.call('POST', `/v1/arrivals/${child.id}/handover`, { body: { receivingOfficer: 'PGN-GT/officer-117', placement: 'authority_placement', verificationReference: 'PGN-GT-2026-0042' } });
    expect(handed.status).toBe(200);
    expect(handed.body.status).toBe('handed_over');
    const [event] = await eventsOf(Topics.receptionArrival.name, child.caseId, 'puente.reception.v1.ChildHandedOver');
    expect(decodeEvent(event.headers.ce_type as EventType, event.value)).toMatchObject({ authorityPartnerId: 'GT-PGN' });
    expectProblem(await t.call('POST', `/v1/arrivals/${arrivals[0].id}/handover`, { body: { receivingOfficer: 'x', placement: 'authority_placement', verificationReference: 'y' } }), 409);
    expect((await t.call('POST', `/v1/arrivals/${arrivals[0].id}/check-out`)).status).toBe(200);
  });

  it('a no-show of a person flagged at risk is an alert; medical notes only with medical:read, each read audited', async () => {
    const p = arrivals[4];
    expect((await t.call('GET', `/v1/arrivals/${p.id}/medical-notes`, { token: await t.token({ scopes: ['arrivals:read', 'arrivals:write'] }) })).status).toBe(403);
    const notes = await t.call('GET', `/v1/arrivals/${p.id}/medical-notes`);
    expect(notes.body.medicalNotes).toBe('Hypertension, out of medication since Tuesday');
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM audit_record WHERE action = 'arrival.medical-notes.read' AND object_id = $1`, [p.id]))[0].n).toBe(1);
    expect((await t.call('POST', `/v1/arrivals/${p.id}/no-show`)).status).toBe(200);
    const [noShow] = await eventsOf(Topics.receptionArrival.name, p.caseId, 'puente.reception.v1.ArrivalNoShow');
    expect(decodeEvent(noShow.headers.ce_type as EventType, noShow.value)).toMatchObject({ atRisk: true });
  });

  it('registers a walk-in through intake and checks them in', async () => {
    const res = await t.call('POST', '/v1/walk-ins', { body: { centerCode: 'GT-CRM-01', person: returnee(SEED, 9, { returningReference: `WALKIN-${randomUUID().slice(0, 8)}` }) } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ walkIn: true, status: 'pending' });
    await eventually('walk-in matched', async () => (await t.call('GET', `/v1/arrivals/${res.body.id}`)).body.status === 'expected');
    expect((await t.call('GET', `/v1/arrivals/${res.body.id}`)).body).toMatchObject({ match: 'registered', walkIn: true });
    expect((await t.call('POST', `/v1/arrivals/${res.body.id}/check-in`, { body: { outcome: 'arrived', desk: 'GT-CRM-01/desk-1' } })).status).toBe(200);
    expectProblem(await t.call('POST', '/v1/walk-ins', { body: { centerCode: 'GT-CRM-01', person: { givenNames: 'X' } } }), 400);
  });

  it('shows the day at the center: expected, arrived, no-show, services by type, capacity use, children, open concerns; over-capacity flagged', async () => {
    const ops = await t.call('GET', `/v1/centers/GT-CRM-01/operations?date=${today()}`);
    expect(ops.status).toBe(200);
    expect(ops.body).toMatchObject({ dailyCapacity: 300, expected: 6, arrived: 5, noShow: 1, sentToHospital: 0, overCapacity: false, childrenAwaitingHandover: 0, servicesDelivered: { meal: 2, hygiene_kit: 1 } });
    expect(ops.body.openProtectionConcerns).toBe(1);

    const small = { code: 'GT-CRM-ELCEIBO', name: 'Centro de Recepción El Ceibo', kind: 'land_border', location: 'La Libertad, Petén', dailyCapacity: 3, services: ['interview', 'meal'], operatingPartnerId: 'GT-IGM' };
    expect((await t.call('POST', '/v1/centers', { body: small })).status).toBe(201);
    expect((await intake.call('POST', '/v1/sites', { code: small.code, name: small.name, kind: 'reception' })).status).toBe(201);
    const res = await t.call('POST', '/v1/manifests', {
      token: partner,
      body: { movement: { reference: `INM-CEIBO-${SEED}`, kind: 'land', centerCode: small.code, expectedOn: today(), returningCountry: 'MX' }, persons: [20, 21, 22, 23].map((i) => returnee(SEED, i)) },
    });
    expect(res.status).toBe(201);
    const over = await t.call('GET', `/v1/centers/${small.code}/operations?date=${today()}`);
    expect(over.body).toMatchObject({ expected: 4, overCapacity: true, capacityUse: 1.333 });
  });
});
