// Custody transfers between two country nodes, for real: GT's and MX's intake, each with its own
// Kafka broker and PostgreSQL database, joined by a real MirrorMaker 2.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { CaseStatus, CaseStatusChangedSchema, PersecutionGround, RetractionNoticeSchema, Pathway, ProtectionFlag, ScreeningCompletedSchema, ScreeningRiskLevel, toTimestamp, Topics } from '@puente/contracts';
import { devRegistryConfig, type OpenedEnvelope, startTwoNodeTopology, type TwoNodeTopology } from '@puente/federation';
import { createBrokerClient, eventSource, parseBrokers, publishEventAs } from '@puente/messaging';
import { eventually } from '@puente/testing';
import { RetractionArrivals } from '../federation/exchange-effects';
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
    // MX's agreement with GT has no transfer follow-ups in its sending direction (GT's has them toward MX).
    const mxRegistry = devRegistryConfig('MX', { NODE_ENV: 'test' });
    mxRegistry.peers.GT.send = mxRegistry.peers.GT.send.filter((k) => k !== 'transfer-followup');
    const mxRegistryFile = join(mkdtempSync(join(tmpdir(), 'puente-transfers-spec-')), 'mx-registry.json');
    writeFileSync(mxRegistryFile, JSON.stringify(mxRegistry));
    mx = await startIntake('xfermx', { env: { PUENTE_NODE: 'MX', KAFKA_BROKERS: topology.mxBrokers, FEDERATION_REGISTRY_FILE: mxRegistryFile } });
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
  /** Every retraction notice GT sent MX for the case has MX's receipt (and there is at least one). */
  const receipted = async (caseId: string) => {
    const notices: { receipted_at: Date | null }[] = await gt.ds.query(`SELECT receipted_at FROM retraction_notice WHERE case_id = $1 AND receiver = 'MX'`, [caseId]);
    return notices.length > 0 && notices.every((n) => n.receipted_at !== null);
  };
  /** The case's CaseStatusChanged events in its outbox, as [from, to]. */
  const statusChanges = async (app: IntakeTestApp, caseId: string) =>
    ((await app.ds.query(`SELECT payload FROM outbox_message WHERE message_key = $1 AND event_type = 'puente.intake.v1.CaseStatusChanged' ORDER BY id`, [caseId])) as { payload: Buffer }[]).map((r) => {
      const m = fromBinary(CaseStatusChangedSchema, r.payload);
      return [CaseStatus[m.fromStatus].toLowerCase(), CaseStatus[m.toStatus].toLowerCase()];
    });
  /** The case's timeline entries of `type` (once the node's timeline consumer stored them). */
  const timelineOf = async (app: IntakeTestApp, caseId: string, type: string, token?: string) =>
    ((await app.call('GET', `/v1/cases/${caseId}/timeline?limit=100`, { token })).body.items as { type: string; data: Record<string, unknown> | null }[]).filter((e) => e.type === type);

  it('a household accepted at MX: the persons are registered there (the son already known there is linked, not duplicated), with their consents and the screening summary; GT’s case is transferred out, both sides show the hand-over', async () => {
    const familyNames = 'Transferida Aceptada';
    // The son registered at MX before (he crossed first): the duplicate check finds him.
    const known = await mx.call('POST', '/v1/persons', { body: people.child(mxSite, '', 'Luis Ángel', '2015-03-02', { familyNames, caseId: undefined, case: { household: false } }), token: await mxToken() });
    expect(known.status).toBe(201);
    const { caseId, motherId, sonId } = await household(familyNames, [transferConsent, { purpose: 'screening', method: 'written' }, { purpose: 'referral', method: 'written', partnerType: 'international_organization' }]);
    // GT's screening service completed a screening of the mother (played here: its event on GT's cluster, which GT's timeline stores).
    const gtBroker = createBrokerClient({ brokers: parseBrokers(topology.gtBrokers), clientId: 'transfers-spec' });
    const screeningId = randomUUID();
    await publishEventAs(gtBroker, { topic: Topics.screening.name, source: eventSource('GT', 'screening'), key: caseId }, ScreeningCompletedSchema, {
      screeningId,
      caseId,
      personId: motherId,
      flags: [{ flag: ProtectionFlag.FEAR_OF_RETURN, reasons: ['q_fear'] }],
      fearGrounds: [{ ground: PersecutionGround.POLITICAL_OPINION, reasons: ['q_fear_ground'] }],
      riskLevel: ScreeningRiskLevel.HIGH,
      recommendations: [{ pathway: Pathway.NATIONAL_ASYLUM, reasons: ['q_fear'] }],
      completedAt: toTimestamp(),
    });
    await eventually('the screening on GT’s timeline', async () => (await timelineOf(gt, caseId, ScreeningCompletedSchema.typeName)).length === 1, 120_000);
    const sent = await transfer(caseId);
    expect(sent).toMatchObject({ status: 'pending', direction: 'outbound', destinationNode: 'MX' });
    expect(sent.fields).toEqual(expect.arrayContaining(['givenNames', 'familyNames', 'birthDate', 'screening']));
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
    const motherHere = persons.get(motherId)?.destinationPersonId;
    // One person for each of them at MX: the son was not registered twice.
    const mxCase = await mx.call('GET', `/v1/cases/${newCase}`, { token: await mxToken() });
    expect(mxCase.status).toBe(200);
    const members: { person_id: string }[] = await mx.ds.query(`SELECT person_id FROM case_person WHERE case_id = $1 ORDER BY person_id`, [newCase]);
    expect(members.map((m) => m.person_id).sort()).toEqual([motherHere, known.body.personId].sort());
    // The package was shredded at MX once decided.
    expect((await mx.ds.query(`SELECT package_ciphertext FROM custody_transfer WHERE id = $1`, [sent.id]))[0].package_ciphertext).toBeNull();

    // The mother's consents are MX's now, with where they were given; the transfer consent toward MX itself is not.
    const gtConsents = (await gt.call('GET', `/v1/cases/${caseId}/consents`)).body.items as { id: string; purpose: string }[];
    const mxConsents = (await mx.call('GET', `/v1/cases/${newCase}/consents`, { token: await mxToken() })).body.items as {
      id: string;
      personId: string;
      purpose: string;
      partnerType: string | null;
      originNode: string;
      originConsentId: string;
      state: string;
    }[];
    expect(mxConsents.map((k) => [k.purpose, k.personId, k.originNode, k.originConsentId, k.state]).sort()).toEqual(
      ['screening', 'referral'].map((purpose) => [purpose, motherHere, 'GT', gtConsents.find((k) => k.purpose === purpose)?.id, 'active']).sort(),
    );
    expect(mxConsents.find((k) => k.purpose === 'referral')?.partnerType).toBe('international_organization');
    const imports: { object_id: string; purpose: string }[] = await mx.ds.query(`SELECT object_id, purpose FROM audit_record WHERE action = 'consent.import' AND object_id = ANY ($1)`, [mxConsents.map((k) => k.id)]);
    expect(imports.map((a) => a.object_id).sort()).toEqual(mxConsents.map((k) => k.id).sort());

    // The screening summary shows on MX's new case, the person as MX knows her.
    const completedHere = await eventually('TransferCompleted on MX’s timeline', async () => (await timelineOf(mx, newCase, 'puente.referral.v1.TransferCompleted', await mxToken()))[0], 180_000);
    expect(completedHere.data).toMatchObject({
      consentsRecorded: 2,
      screening: {
        screeningId,
        personId: motherHere,
        riskLevel: 'high',
        flags: ['fear_of_return'],
        fearGrounds: ['political_opinion'],
        recommendedPathways: ['national_asylum'],
      },
    });

    const done = await eventually('completed at GT', async () => ((await atGt(sent.id)).status === 'completed' ? atGt(sent.id) : null), 180_000);
    expect(done).toMatchObject({ destinationCaseId: newCase });
    expect(await caseStatus(caseId)).toBe('transferred');
    expect(await eventTypes(gt, caseId)).toEqual(['TransferRequested', 'TransferAccepted', 'TransferCompleted']);
    expect(await eventTypes(mx, newCase)).toEqual(['TransferAccepted', 'TransferCompleted']);
    expect(await eventTypes(mx, caseId)).toEqual(['TransferRequested']);
    // GT's case went open → transfer_pending → transferred, each a CaseStatusChanged on its timeline.
    const changes = await eventually(
      'both status changes on GT’s timeline',
      async () => {
        const found = await timelineOf(gt, caseId, 'puente.intake.v1.CaseStatusChanged');
        return found.length >= 2 ? found : null;
      },
      120_000,
    );
    expect(changes.map((e) => [e.data?.fromStatus, e.data?.toStatus])).toEqual([
      ['CASE_STATUS_OPEN', 'CASE_STATUS_TRANSFER_PENDING'],
      ['CASE_STATUS_TRANSFER_PENDING', 'CASE_STATUS_TRANSFERRED'],
    ]);
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

  it('an acceptance that breaks off half-way leaves nothing at MX; accepted again (twice at once), the household is registered once', async () => {
    const { caseId, motherId, sonId } = await household('Aceptación Interrumpida');
    const sent = await transfer(caseId);
    await eventually('pending at MX', async () => (await atMx(sent.id)).status === 'pending', 180_000);
    const counts = async () =>
      (
        await mx.ds.query(
          `SELECT (SELECT count(*) FROM person)::int AS persons, (SELECT count(*) FROM intake_case)::int AS cases, (SELECT count(*) FROM case_person)::int AS members,
                  (SELECT count(*) FROM custody_transfer_person)::int AS links, (SELECT count(*) FROM audit_record WHERE action = 'person.create')::int AS audited`,
        )
      )[0] as Record<string, number>;
    const before = await counts();
    // The crash: the database gives out at the second person, after the first was registered.
    await mx.ds.query(`CREATE OR REPLACE FUNCTION spec_accept_crash() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM custody_transfer_person WHERE transfer_id = NEW.transfer_id) THEN RAISE EXCEPTION 'simulated crash'; END IF;
        RETURN NEW;
      END $$`);
    await mx.ds.query(`CREATE TRIGGER spec_accept_crash BEFORE INSERT ON custody_transfer_person FOR EACH ROW WHEN (NEW.transfer_id = '${sent.id}') EXECUTE FUNCTION spec_accept_crash()`);
    try {
      const broken = await mx.call('POST', `/v1/transfers/${sent.id}/accept`, { body: { siteCode: mxSite }, token: await mxToken() });
      expect(broken.status).toBe(500);
    } finally {
      await mx.ds.query(`DROP TRIGGER spec_accept_crash ON custody_transfer_person`);
    }
    expect(await counts()).toEqual(before);
    expect(await atMx(sent.id)).toMatchObject({ status: 'pending', destinationCaseId: null, persons: [] });
    expect((await mx.ds.query(`SELECT package_ciphertext IS NOT NULL AS held FROM custody_transfer WHERE id = $1`, [sent.id]))[0].held).toBe(true);

    const [first, second] = await Promise.all(
      [0, 1].map(async () => mx.call('POST', `/v1/transfers/${sent.id}/accept`, { body: { siteCode: mxSite }, token: await mxToken() })),
    );
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body).toEqual(second.body);
    expect(first.body.status).toBe('completed');
    expect(first.body.persons.map((p: { originPersonId: string }) => p.originPersonId).sort()).toEqual([motherId, sonId].sort());
    expect(await counts()).toEqual({ ...before, persons: before.persons + 2, cases: before.cases + 1, members: before.members + 2, links: before.links + 2, audited: before.audited + 2 });
    await eventually('completed at GT', async () => (await atGt(sent.id)).status === 'completed', 180_000);
    expect(await eventTypes(mx, first.body.destinationCaseId)).toEqual(['TransferAccepted', 'TransferCompleted']);
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
    expect(await statusChanges(gt, caseId)).toEqual([
      ['open', 'transfer_pending'],
      ['transfer_pending', 'open'],
    ]);
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
    expect(await statusChanges(gt, caseId)).toEqual([
      ['open', 'transfer_pending'],
      ['transfer_pending', 'open'],
    ]);
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
    // Whichever came first at MX (the retraction notice or the withdrawal), the package is gone and GT has MX's receipt.
    expect(['retracted', 'consent_withdrawn']).toContain((await atMx(sent.id)).withdrawalCause);
    expect((await mx.ds.query(`SELECT package_ciphertext FROM custody_transfer WHERE id = $1`, [sent.id]))[0].package_ciphertext).toBeNull();
    await eventually('MX’s receipts at GT', async () => receipted(caseId), 180_000);
  }, 400_000);

  it('erasing a person of a pending transfer withdraws it at GT; MX drops the package and answers the retraction with a receipt', async () => {
    const { caseId, sonId } = await household('Persona Borrada');
    const sent = await transfer(caseId);
    await eventually('pending at MX', async () => (await atMx(sent.id)).status === 'pending', 180_000);
    expect((await gt.call('POST', `/v1/persons/${sonId}/erase`)).status).toBe(200);
    await eventually('withdrawn at GT', async () => (await atGt(sent.id)).withdrawalCause === 'person_erased', 120_000);
    expect(await caseStatus(caseId)).toBe('open');
    await eventually('withdrawn at MX', async () => (await atMx(sent.id)).status === 'withdrawn', 180_000);
    expect((await mx.ds.query(`SELECT package_ciphertext FROM custody_transfer WHERE id = $1`, [sent.id]))[0].package_ciphertext).toBeNull();
    await eventually('MX’s receipt at GT', async () => receipted(caseId), 180_000);
    expect((await mx.call('POST', `/v1/transfers/${sent.id}/accept`, { body: { siteCode: mxSite }, token: await mxToken() })).status).toBe(409);
  }, 400_000);

  it('a retraction notice from GT arriving while the package is pending drops it (withdrawn, retracted) in the transaction that answers it', async () => {
    const { caseId, motherId } = await household('Retractada Pendiente');
    const sent = await transfer(caseId);
    await eventually('pending at MX', async () => (await atMx(sent.id)).status === 'pending', 180_000);
    // The effect the exchange receiver runs for a verified `retraction` envelope from GT (its receipt is written in this transaction).
    const arrivals = mx.app.get(RetractionArrivals, { strict: false });
    const envelope = { iss: 'GT', aud: 'MX', kind: 'retraction', jti: randomUUID(), payload: toBinary(RetractionNoticeSchema, create(RetractionNoticeSchema, { personId: motherId })) };
    await mx.ds.transaction(async (tx) => arrivals.apply(envelope as unknown as OpenedEnvelope, tx));
    expect(await atMx(sent.id)).toMatchObject({ status: 'withdrawn', withdrawalCause: 'retracted' });
    expect((await mx.ds.query(`SELECT package_ciphertext FROM custody_transfer WHERE id = $1`, [sent.id]))[0].package_ciphertext).toBeNull();
    expect(await eventTypes(mx, caseId)).toEqual(['TransferRequested', 'TransferWithdrawn']);
    expect(await mx.ds.query(`SELECT 1 FROM audit_record WHERE action = 'case.transfer-retracted' AND object_id = $1`, [caseId])).toHaveLength(1);
    expect((await mx.call('POST', `/v1/transfers/${sent.id}/accept`, { body: { siteCode: mxSite }, token: await mxToken() })).status).toBe(409);
    // A second notice for the same person finds nothing pending.
    await mx.ds.transaction(async (tx) => arrivals.apply({ ...envelope, jti: randomUUID() } as unknown as OpenedEnvelope, tx));
    expect(await eventTypes(mx, caseId)).toEqual(['TransferRequested', 'TransferWithdrawn']);
    // GT withdraws its side (as its caseworker would): MX already dropped it and stays so.
    expect((await gt.call('POST', `/v1/transfers/${sent.id}/withdraw`, { token: await gtToken() })).status).toBe(200);
  }, 400_000);

  it('status changes of the new case reach the origin’s timeline only where the agreement has transfer follow-ups (GT → MX has them, MX → GT has not)', async () => {
    const followUps = async (app: IntakeTestApp, subject: string) =>
      (await app.ds.query(`SELECT 1 FROM federation_sent_envelope WHERE kind = 'transfer-followup' AND subject = $1`, [subject])).length;
    const putOnHold = async (app: IntakeTestApp, caseId: string, token: string) => {
      const read = await app.call('GET', `/v1/cases/${caseId}`, { token });
      const changed = await app.call('PATCH', `/v1/cases/${caseId}`, { body: { status: 'on_hold' }, headers: { 'if-match': read.headers.get('etag') as string }, token });
      expect(changed.status).toBe(200);
    };

    // MX → GT, accepted at GT: GT's agreement sends follow-ups back to MX.
    const mother = await mx.call('POST', '/v1/persons', {
      body: people.mariaJose(mxSite, { familyNames: 'Seguimiento Acordado', consents: [{ purpose: 'cross_border_transfer', method: 'written', destinationCountry: 'GT' }], vulnerabilityFlags: [] }),
      token: await mxToken(),
    });
    expect(mother.status).toBe(201);
    const toGt = await mx.call('POST', `/v1/cases/${mother.body.caseId}/transfers`, { body: { destinationNode: 'GT', reason: 'onward_movement' }, token: await mxToken() });
    expect(toGt.status).toBe(201);
    await eventually('pending at GT', async () => (await atGt(toGt.body.id)).status === 'pending', 180_000);
    const acceptedAtGt = await gt.call('POST', `/v1/transfers/${toGt.body.id}/accept`, { body: { siteCode: gtSite }, token: await gtToken() });
    expect(acceptedAtGt.status).toBe(200);
    await eventually('completed at MX', async () => (await atMx(toGt.body.id)).status === 'completed', 180_000);
    await putOnHold(gt, acceptedAtGt.body.destinationCaseId, await gtToken());
    const shown = await eventually(
      'the follow-up on MX’s case timeline',
      async () => (await timelineOf(mx, mother.body.caseId, 'puente.referral.v1.TransferFollowUpReceived', await mxToken()))[0],
      180_000,
    );
    expect(shown.data).toMatchObject({ status: 'on_hold', updateType: 'puente.intake.v1.CaseStatusChanged', transfer: { transferId: toGt.body.id, destinationCaseId: acceptedAtGt.body.destinationCaseId } });
    expect(await followUps(gt, mother.body.caseId)).toBe(1);
    expect((await mx.call('GET', `/v1/cases/${mother.body.caseId}`, { token: await mxToken() })).body.status).toBe('transferred');

    // GT → MX, accepted at MX: MX's agreement has no follow-ups, so its status change stays at MX.
    const { caseId } = await household('Seguimiento Sin Acuerdo');
    const toMx = await transfer(caseId);
    await eventually('pending at MX', async () => (await atMx(toMx.id)).status === 'pending', 180_000);
    const acceptedAtMx = await mx.call('POST', `/v1/transfers/${toMx.id}/accept`, { body: { siteCode: mxSite }, token: await mxToken() });
    expect(acceptedAtMx.status).toBe(200);
    await putOnHold(mx, acceptedAtMx.body.destinationCaseId, await mxToken());
    const [change] = (await mx.ds.query(`SELECT event_id FROM outbox_message WHERE message_key = $1 AND event_type = 'puente.intake.v1.CaseStatusChanged'`, [acceptedAtMx.body.destinationCaseId])) as {
      event_id: string;
    }[];
    // MX's transfers consumer handled the change (its group's inbox row), and sent nothing.
    await eventually('MX consumed its status change', async () => (await mx.ds.query(`SELECT 1 FROM inbox_message WHERE event_id = $1`, [change.event_id])).length > 0, 120_000);
    expect(await followUps(mx, caseId)).toBe(0);
    expect(await timelineOf(gt, caseId, 'puente.referral.v1.TransferFollowUpReceived')).toEqual([]);
  }, 600_000);

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
