// Custody transfers between two country nodes, for real: GT's and MX's intake, each with its own
// Kafka broker and PostgreSQL database, joined by a real MirrorMaker 2.
import { startTwoNodeTopology, type TwoNodeTopology } from '@puente/federation';
import { eventually } from '@puente/testing';
import { ALL_SCOPES, type IntakeTestApp, people, startIntake, uniqueSiteCode } from '../spec/testing/harness';
import { TRANSFER_DECIDE_HOURS, TransfersService } from './transfers.service';

const transferConsent = { purpose: 'cross_border_transfer', method: 'written', destinationCountry: 'MX' };

describe('custody transfers GT → MX (two nodes, MirrorMaker 2)', () => {
  let topology: TwoNodeTopology;
  let gt: IntakeTestApp;
  let mx: IntakeTestApp;
  let gtSite: string;
  let mxSite: string;
  const gtToken = () => gt.token({ scopes: [...ALL_SCOPES, 'transfers:write'] });
  const mxToken = () => mx.token({ partnerId: 'MX-MRC-01', node: 'MX', jurisdictions: ['MX'], scopes: [...ALL_SCOPES, 'transfers:write'] });

  beforeAll(async () => {
    topology = await startTwoNodeTopology(`spec-${process.env.PUENTE_TEST_RUN ?? 'ci'}-transfers`);
    gt = await startIntake('xfergt', { env: { PUENTE_NODE: 'GT', KAFKA_BROKERS: topology.gtBrokers } });
    mx = await startIntake('xfermx', { env: { PUENTE_NODE: 'MX', KAFKA_BROKERS: topology.mxBrokers } });
    await topology.startMirror();
    gtSite = uniqueSiteCode('GT-MRC');
    mxSite = uniqueSiteCode('MX-MRC');
    expect((await gt.call('POST', '/v1/sites', { body: { code: gtSite, name: 'CRM Tecún Umán', kind: 'fixed' } })).status).toBe(201);
    expect((await mx.call('POST', '/v1/sites', { body: { code: mxSite, name: 'Albergue Tapachula', kind: 'fixed' }, token: await mxToken() })).status).toBe(201);
  }, 20 * 60_000 + 300_000);

  afterAll(async () => {
    try {
      await gt?.close();
      await mx?.close();
    } finally {
      await topology?.stop();
    }
  }, 120_000);

  /** A mother and her son registered at GT on one case, with a cross-border transfer consent toward MX. */
  async function household(familyNames: string, consents: object[] = [transferConsent]) {
    const mother = await gt.call('POST', '/v1/persons', { body: people.mariaJose(gtSite, { familyNames, consents, vulnerabilityFlags: [] }) });
    expect(mother.status).toBe(201);
    const son = await gt.call('POST', '/v1/persons', { body: people.child(gtSite, mother.body.caseId, 'Luis Ángel', '2015-03-02', { familyNames }) });
    expect(son.status).toBe(201);
    return { caseId: mother.body.caseId as string, motherId: mother.body.personId as string, sonId: son.body.personId as string };
  }
  const transfer = async (caseId: string) => {
    const res = await gt.call('POST', `/v1/cases/${caseId}/transfers`, { body: { destinationNode: 'MX', reason: 'onward_movement' }, token: await gtToken() });
    expect(res.status).toBe(201);
    return res.body as { id: string; status: string; fields: string[] };
  };
  const atMx = async (id: string) => (await mx.call('GET', `/v1/transfers/${id}`, { token: await mxToken() })).body;
  const atGt = async (id: string) => (await gt.call('GET', `/v1/transfers/${id}`, { token: await gtToken() })).body;
  const caseStatus = async (caseId: string) => (await gt.call('GET', `/v1/cases/${caseId}`)).body.status;
  const eventTypes = async (app: IntakeTestApp, key: string) =>
    ((await app.ds.query(`SELECT event_type FROM outbox_message WHERE message_key = $1 AND topic = 'puente.referral.transfer.v1' ORDER BY id`, [key])) as { event_type: string }[]).map((r) => r.event_type.split('.').pop());

  it('a household accepted at MX: the persons are registered there (the son already known there is linked, not duplicated), GT’s case is transferred out, both sides show the hand-over', async () => {
    const familyNames = 'Transferida Aceptada';
    // The son registered at MX before (he crossed first): the duplicate check finds him.
    const known = await mx.call('POST', '/v1/persons', { body: people.child(mxSite, '', 'Luis Ángel', '2015-03-02', { familyNames, caseId: undefined, case: { household: false } }), token: await mxToken() });
    expect(known.status).toBe(201);
    const { caseId, motherId, sonId } = await household(familyNames);
    const sent = await transfer(caseId);
    expect(sent).toMatchObject({ status: 'pending', direction: 'outbound', destinationNode: 'MX' });
    expect(sent.fields).toEqual(expect.arrayContaining(['givenNames', 'familyNames', 'birthDate']));
    expect(await caseStatus(caseId)).toBe('transfer_pending');

    const pending = await eventually('pending at MX', async () => ((await atMx(sent.id)).status === 'pending' ? atMx(sent.id) : null), 180_000);
    expect(pending).toMatchObject({ direction: 'inbound', originNode: 'GT', originCaseId: caseId, personIds: expect.arrayContaining([motherId, sonId]) });
    const listed = await mx.call('GET', '/v1/transfers?direction=inbound&status=pending', { token: await mxToken() });
    expect(listed.body.items.map((t: { id: string }) => t.id)).toContain(sent.id);

    const accepted = await mx.call('POST', `/v1/transfers/${sent.id}/accept`, { body: { siteCode: mxSite }, token: await mxToken() });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('completed');
    const newCase = accepted.body.destinationCaseId as string;
    const persons = new Map((accepted.body.persons as { originPersonId: string; destinationPersonId: string; linked: boolean }[]).map((p) => [p.originPersonId, p]));
    expect(persons.get(sonId)).toEqual({ originPersonId: sonId, destinationPersonId: known.body.personId, linked: true });
    expect(persons.get(motherId)).toMatchObject({ linked: false });
    // One person for each of them at MX: the son was not registered twice.
    const mxCase = await mx.call('GET', `/v1/cases/${newCase}`, { token: await mxToken() });
    expect(mxCase.status).toBe(200);
    const members: { person_id: string }[] = await mx.ds.query(`SELECT person_id FROM case_person WHERE case_id = $1 ORDER BY person_id`, [newCase]);
    expect(members.map((m) => m.person_id).sort()).toEqual([persons.get(motherId)?.destinationPersonId, known.body.personId].sort());
    // The package was shredded at MX once decided.
    expect((await mx.ds.query(`SELECT package_ciphertext FROM custody_transfer WHERE id = $1`, [sent.id]))[0].package_ciphertext).toBeNull();

    const done = await eventually('completed at GT', async () => ((await atGt(sent.id)).status === 'completed' ? atGt(sent.id) : null), 180_000);
    expect(done).toMatchObject({ destinationCaseId: newCase });
    expect(await caseStatus(caseId)).toBe('transferred');
    expect(await eventTypes(gt, caseId)).toEqual(['TransferRequested', 'TransferAccepted', 'TransferCompleted']);
    expect(await eventTypes(mx, newCase)).toEqual(['TransferAccepted', 'TransferCompleted']);
    expect(await eventTypes(mx, caseId)).toEqual(['TransferRequested']);
    // Audited with its purpose on both nodes; each person's delivery to MX is in GT's ledger.
    const audited = async (app: IntakeTestApp) =>
      ((await app.ds.query(`SELECT DISTINCT action, purpose FROM audit_record WHERE action LIKE 'case.transfer-%' AND object_id IN ($1, $2)`, [caseId, newCase])) as { action: string; purpose: string }[])
        .map((r) => `${r.action}/${r.purpose}`)
        .sort();
    expect(await audited(gt)).toEqual(['case.transfer-accepted/case-management', 'case.transfer-send/case-management']);
    expect(await audited(mx)).toEqual(['case.transfer-accept/case-management', 'case.transfer-receive/case-management']);
    const ledger: { person_id: string }[] = await gt.ds.query(`SELECT person_id FROM delivery_ledger WHERE case_id = $1 AND receiver = 'MX' AND channel = 'custody-transfer'`, [caseId]);
    expect(ledger.map((l) => l.person_id).sort()).toEqual([motherId, sonId].sort());
  }, 600_000);

  it('a transfer MX rejects with a reason leaves custody at GT, shown on both sides', async () => {
    const { caseId } = await household('Transferida Rechazada');
    const sent = await transfer(caseId);
    await eventually('pending at MX', async () => (await atMx(sent.id)).status === 'pending', 180_000);
    const rejected = await mx.call('POST', `/v1/transfers/${sent.id}/reject`, { body: { reason: 'no_capacity' }, token: await mxToken() });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectionReason: 'no_capacity' });
    await eventually('rejected at GT', async () => (await atGt(sent.id)).status === 'rejected', 180_000);
    expect((await atGt(sent.id)).rejectionReason).toBe('no_capacity');
    expect(await caseStatus(caseId)).toBe('open');
    expect(await eventTypes(gt, caseId)).toEqual(['TransferRequested', 'TransferRejected']);
    // Decided once: accepting now is a conflict.
    expect((await mx.call('POST', `/v1/transfers/${sent.id}/accept`, { body: { siteCode: mxSite }, token: await mxToken() })).status).toBe(409);
  }, 400_000);

  it('a transfer GT withdraws before MX decided is withdrawn at MX too, and MX can no longer accept it', async () => {
    const { caseId } = await household('Transferida Retirada');
    const sent = await transfer(caseId);
    await eventually('pending at MX', async () => (await atMx(sent.id)).status === 'pending', 180_000);
    const withdrawn = await gt.call('POST', `/v1/transfers/${sent.id}/withdraw`, { token: await gtToken() });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', withdrawalCause: 'origin_withdrew' });
    expect(await caseStatus(caseId)).toBe('open');
    await eventually('withdrawn at MX', async () => (await atMx(sent.id)).status === 'withdrawn', 180_000);
    expect((await mx.call('POST', `/v1/transfers/${sent.id}/accept`, { body: { siteCode: mxSite }, token: await mxToken() })).status).toBe(409);
    expect(await eventTypes(mx, caseId)).toEqual(['TransferRequested', 'TransferWithdrawn']);
  }, 400_000);

  it('a transfer nobody at MX decided within its SLA expires there, and GT gets its case back', async () => {
    const { caseId } = await household('Transferida Vencida');
    const sent = await transfer(caseId);
    await eventually('pending at MX', async () => (await atMx(sent.id)).status === 'pending', 180_000);
    // The expiry round as it runs every minute, with the clock past the 72 h SLA.
    expect(await mx.app.get(TransfersService).expireDue(new Date(Date.now() + (TRANSFER_DECIDE_HOURS + 1) * 3_600_000))).toContain(sent.id);
    expect(await atMx(sent.id)).toMatchObject({ status: 'expired', rejectionReason: 'decision_sla_missed' });
    await eventually('expired at GT', async () => (await atGt(sent.id)).status === 'expired', 180_000);
    expect(await caseStatus(caseId)).toBe('open');
  }, 400_000);

  it('withdrawing the transfer consent after sending withdraws the transfer on both nodes', async () => {
    const { caseId } = await household('Consentimiento Retirado');
    const sent = await transfer(caseId);
    await eventually('pending at MX', async () => (await atMx(sent.id)).status === 'pending', 180_000);
    const consents = await gt.call('GET', `/v1/cases/${caseId}/consents`);
    const consentId = consents.body.items.find((c: { purpose: string }) => c.purpose === 'cross_border_transfer').id;
    expect((await gt.call('POST', `/v1/consents/${consentId}/withdraw`)).status).toBeLessThan(300);
    await eventually('withdrawn at GT', async () => (await atGt(sent.id)).withdrawalCause === 'consent_withdrawn', 120_000);
    await eventually('withdrawn at MX', async () => (await atMx(sent.id)).status === 'withdrawn', 180_000);
  }, 400_000);

  it('refuses without a transfer consent, and for a Mexican with a fear of return toward MX (409, nothing sent)', async () => {
    const noConsent = await household('Sin Consentimiento', []);
    const refused = await gt.call('POST', `/v1/cases/${noConsent.caseId}/transfers`, { body: { destinationNode: 'MX', reason: 'onward_movement' }, token: await gtToken() });
    expect(refused.status).toBe(409);
    expect(refused.body.reason).toBe('no-consent');
    const mexican = await gt.call('POST', '/v1/persons', { body: people.mariaJose(gtSite, { familyNames: 'Protegida', nationality: 'MX', consents: [transferConsent] }) });
    const blocked = await gt.call('POST', `/v1/cases/${mexican.body.caseId}/transfers`, { body: { destinationNode: 'MX', reason: 'onward_movement' }, token: await gtToken() });
    expect(blocked.status).toBe(409);
    expect(blocked.body.reason).toBe('protection-block');
    expect(await gt.ds.query(`SELECT 1 FROM outbox_message WHERE message_key = ANY ($1) AND topic LIKE 'puente.exchange.%'`, [[noConsent.caseId, mexican.body.caseId]])).toEqual([]);
    expect(await caseStatus(noConsent.caseId)).toBe('open');
  }, 120_000);
});
