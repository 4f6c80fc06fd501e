// The coded interview and family tracing at a reception center, with intake, screening and
// referral routing each in its own process on the run's broker: a protection indicator reaches
// screening as a pending screening; a family-tracing request becomes a referral in routing, which
// checks the referral consent given at check-in.
import { decodeEvent, type EventType, Topics } from '@puente/contracts';
import { readTopic, type RecordedEvent } from '@puente/messaging';
import { eventually, type ServiceProcess, startServiceProcess } from '@puente/testing';
import { expectProblem, problemFields, type ReceptionTestApp, startReception } from '../testing/harness';
import { type IntakeProcess, startIntakeProcess } from '../testing/intake-process';
import { returnee } from '../testing/manifest-fixtures';
import { startScreeningProcess } from '../testing/processes';

const SUITE = 'receptioninterview';
const PARTNER = { scopes: ['manifests:write'], partnerId: 'MX-INM', clientId: 'inm-manifest-gateway', jurisdictions: ['GT'] };
const SEED = 400 + (process.pid % 50);
const today = () => new Date().toISOString().slice(0, 10);

describe('reception interview and family tracing (real HTTP, Kafka, PostgreSQL; intake, screening and referral routing in their own processes)', () => {
  let intake: IntakeProcess;
  let screening: { stop(): Promise<void> };
  let routing: ServiceProcess;
  let routingStaff: string;
  let t: ReceptionTestApp;
  let arrivals: { id: string; caseId: string; personId: string; status: string; unaccompaniedChild: boolean }[];
  let child: (typeof arrivals)[number];
  let tracingProgram: string;

  const eventsOf = async (topic: string, caseId: string, type: string): Promise<RecordedEvent[]> => {
    const pick = (seen: RecordedEvent[]) => seen.filter((e) => e.key === caseId && e.headers.ce_type === type);
    return pick(await readTopic(t.broker, topic, { until: (seen) => pick(seen).length >= 1, timeoutMs: 60_000 }));
  };

  beforeAll(async () => {
    intake = await startIntakeProcess(SUITE);
    screening = await startScreeningProcess(SUITE);
    routing = await startServiceProcess('referral-routing', SUITE);
    const routingToken = await routing.tokenFile({ scopes: ['referrals:write', 'referrals:read'], clientId: 'reception', partnerId: 'GT-RECEPTION' });
    routingStaff = await routing.mint({ scopes: ['directory:read', 'partners:admin', 'referrals:read'], clientId: 'gt-node-admin', partnerId: 'GT-RECEPTION' });
    t = await startReception(SUITE, {
      env: { INTAKE_URL: intake.base, INTAKE_TOKEN_FILE: intake.tokenFile, ROUTING_URL: routing.base, ROUTING_TOKEN_FILE: routingToken, MANIFEST_RETRY_INTERVAL_MS: '300' },
    });
    expect((await intake.call('POST', '/v1/sites', { code: 'GT-CRM-01', name: 'Centro de Recepción de Retornados La Aurora', kind: 'reception' })).status).toBe(201);

    // A family-tracing program in routing's directory (Restoring Family Links), with its agreement.
    const partner = await routing.call('POST', '/v1/directory/partners', routingStaff, {
      id: 'GT-CRG-RCF',
      name: 'Cruz Roja Guatemalteca – Restablecimiento del Contacto entre Familiares',
      kind: 'ngo',
      partnerType: 'ngo_service_provider',
      country: 'GT',
      node: 'GT',
      deliveryChannels: ['rest_pull'],
    });
    expect(partner.status).toBe(201);
    const program = await routing.call('POST', '/v1/directory/programs', routingStaff, {
      partnerId: 'GT-CRG-RCF',
      name: 'Restablecimiento del contacto entre familiares',
      description: 'Family tracing and restoring contact for separated families and children.',
      pathway: 'family_reunification',
      totalSlots: 200,
      slaAcknowledgeHours: 24,
      slaDecideHours: 240,
    });
    expect(program.status).toBe(201);
    tracingProgram = program.body.id;
    const agreement = await routing.call('POST', '/v1/directory/agreements', routingStaff, {
      partnerId: 'GT-CRG-RCF',
      reference: 'Convenio CRG–IGM 2026/03',
      purposes: ['referral'],
      fieldsByPurpose: { referral: ['caseId', 'coveredPersonIds', 'ageBand', 'sex', 'nationality'] },
      validFrom: '2026-01-01',
    });
    expect(agreement.status).toBe(201);

    const partnerToken = await t.token(PARTNER);
    const persons = [...[0, 1, 2, 3].map((i) => returnee(SEED, i)), returnee(SEED, 4, { birthDate: '2012-05-17', unaccompaniedChild: true })];
    const res = await t.call('POST', '/v1/manifests', { token: partnerToken, body: { movement: { reference: `INM-TAP-${SEED}`, kind: 'land', centerCode: 'GT-CRM-01', expectedOn: today(), returningCountry: 'MX' }, persons } });
    expect(res.status).toBe(201);
    await eventually('manifest matched', async () => (await t.call('GET', `/v1/manifests/${res.body.id}`, { token: partnerToken })).body.status === 'matched', 60_000);
    const list = await t.call('GET', `/v1/centers/GT-CRM-01/arrivals?date=${today()}`);
    arrivals = list.body.filter((a: { movementId: string }) => a.movementId === res.body.id);
    expect(arrivals).toHaveLength(5);
    child = arrivals.find((a) => a.unaccompaniedChild) as typeof child;
    arrivals = arrivals.filter((a) => !a.unaccompaniedChild);
  }, 400_000);

  afterAll(async () => {
    await t?.close();
    await routing?.stop();
    await screening?.stop();
    await intake?.stop();
  });

  const interview = (id: string, body: Record<string, unknown>) =>
    t.call('POST', `/v1/arrivals/${id}/interview`, { body: { desk: 'GT-CRM-01/desk-4', timeAbroad: '1_to_3_years', returnsBefore: 'once', needs: [], protectionIndicators: [], ...body } });

  describe('the coded interview', () => {
    it('records the answers as codes, once, after the check-in; no concern for a person who left for work', async () => {
      const p = arrivals[0];
      expectProblem(await interview(p.id, { reasonsForMigration: ['economic'] }), 409, 'arrival-not-ready');
      expect((await t.call('POST', `/v1/arrivals/${p.id}/check-in`, { body: { outcome: 'arrived', desk: 'GT-CRM-01/desk-1' } })).status).toBe(200);
      const res = await interview(p.id, { reasonsForMigration: ['economic', 'family_reunification'], needs: ['transport_home', 'employment', 'document_replacement'] });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        arrivalId: p.id,
        reasonsForMigration: ['economic', 'family_reunification'],
        timeAbroad: '1_to_3_years',
        returnsBefore: 'once',
        needs: ['document_replacement', 'employment', 'transport_home'],
        protectionIndicators: [],
        concernsRaised: [],
        protectionConcernId: null,
        desk: 'GT-CRM-01/desk-4',
      });
      expect((await t.call('GET', `/v1/arrivals/${p.id}/interview`)).body).toEqual(res.body);
      expectProblem(await interview(p.id, { reasonsForMigration: ['economic'] }), 409, 'interview-already-recorded');
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM protection_concern WHERE arrival_id = $1`, [p.id]);
      expect(n).toBe(0);
    });

    it('refuses free text and contradictions with field errors, recording nothing', async () => {
      const p = arrivals[1];
      expect((await t.call('POST', `/v1/arrivals/${p.id}/check-in`, { body: { outcome: 'arrived', desk: 'GT-CRM-01/desk-2' } })).status).toBe(200);
      const bad = await interview(p.id, { reasonsForMigration: ['He said the gang threatened his brother'], needs: ['a job in Zacapa'], timeAbroad: 'three years', protectionIndicators: ['scared'] });
      expectProblem(bad, 400);
      expect(problemFields(bad).sort()).toEqual(['needs', 'protectionIndicators', 'reasonsForMigration', 'timeAbroad']);
      expect(problemFields(await interview(p.id, { reasonsForMigration: ['not_stated', 'economic'] }))).toEqual(['reasonsForMigration']);
      expect((await t.call('GET', `/v1/arrivals/${p.id}/interview`)).status).toBe(404);
    });

    it('a protection indicator raises the protection concern: screening opens a pending screening for the case', async () => {
      const p = arrivals[1];
      const res = await interview(p.id, { reasonsForMigration: ['gang_recruitment'], timeAbroad: '6_to_12_months', returnsBefore: 'none', needs: ['psychosocial_support'], protectionIndicators: ['trafficking_indicators'] });
      expect(res.status).toBe(201);
      expect(res.body.concernsRaised).toEqual(['fear_of_return', 'trafficking_indicators']);
      expect(res.body.protectionConcernId).toEqual(expect.any(String));
      const [raised] = await eventsOf(Topics.receptionArrival.name, p.caseId, 'puente.reception.v1.ProtectionConcernRaised');
      expect(decodeEvent(raised.headers.ce_type as EventType, raised.value)).toMatchObject({ concernId: res.body.protectionConcernId, caseId: p.caseId });
      const [requested] = await eventsOf(Topics.screening.name, p.caseId, 'puente.screening.v1.ScreeningRequested');
      expect(decodeEvent(requested.headers.ce_type as EventType, requested.value)).toMatchObject({ caseId: p.caseId, concernId: res.body.protectionConcernId });
      const ops = await t.call('GET', `/v1/centers/GT-CRM-01/operations?date=${today()}`);
      expect(ops.body.openProtectionConcerns).toBeGreaterThanOrEqual(1);
    });
  });

  describe('family tracing', () => {
    const trace = (id: string, body: Record<string, unknown> = {}) => t.call('POST', `/v1/arrivals/${id}/family-tracing`, { body: { programId: tracingProgram, subject: 'separated_family_member', desk: 'GT-CRM-01/desk-3', ...body } });

    it('is a referral to the family-tracing program through routing, once the person gave a referral consent at check-in', async () => {
      const p = arrivals[2];
      expectProblem(await trace(p.id), 409, 'arrival-not-ready');
      const checkIn = await t.call('POST', `/v1/arrivals/${p.id}/check-in`, { body: { outcome: 'arrived', desk: 'GT-CRM-01/desk-3', consents: ['referral'], consentMethod: 'written' } });
      expect(checkIn.status).toBe(200);
      // Routing learns of the case and the consent from intake's events; until then it refuses.
      let res: Awaited<ReturnType<typeof trace>> | undefined;
      await eventually('routing accepts the referral', async () => {
        res = await trace(p.id);
        if (res.status === 409) expect(['case-not-known-to-routing', 'no-referral-consent']).toContain(res.body.reason);
        return res.status === 201;
      }, 60_000);
      res = res as Awaited<ReturnType<typeof trace>>;
      expect(res.body).toMatchObject({ arrivalId: p.id, programId: tracingProgram, subject: 'separated_family_member', referralStatus: 'sent' });
      const referral = await routing.call('GET', `/v1/referrals/${res.body.referralId}`, routingStaff);
      expect(referral.status).toBe(200);
      expect(referral.body).toMatchObject({ caseId: p.caseId, programId: tracingProgram, coveredPersonIds: [p.personId], partnerId: 'GT-CRG-RCF' });

      // Asked again by another desk: routing refuses a second open referral to the program.
      const again = await trace(p.id);
      expect(expectProblem(again, 409, 'family-tracing-refused').reason).toBe('referral-already-open');
      expect((await t.call('GET', `/v1/arrivals/${p.id}/family-tracing`)).body).toEqual([res.body]);
    }, 120_000);

    it('for an unaccompanied child, with the referral consent given by the guardian (the child-protection authority) at check-in', async () => {
      // A child's consent is a guardian's: intake refuses it otherwise, and nothing is recorded.
      const refused = await t.call('POST', `/v1/arrivals/${child.id}/check-in`, { body: { outcome: 'arrived', desk: 'GT-CRM-01/desk-5', consents: ['referral'], consentMethod: 'written' } });
      expectProblem(refused, 422, 'consent-refused');
      expect((await t.call('GET', `/v1/arrivals/${child.id}`)).body.status).toBe('expected');
      expect(problemFields(await t.call('POST', `/v1/arrivals/${child.id}/check-in`, { body: { outcome: 'arrived', desk: 'GT-CRM-01/desk-5', consents: ['referral'], consentMethod: 'guardian' } }))).toEqual(['guardianReference']);
      const checkIn = await t.call('POST', `/v1/arrivals/${child.id}/check-in`, {
        body: { outcome: 'arrived', desk: 'GT-CRM-01/desk-5', consents: ['referral'], consentMethod: 'guardian', guardianReference: 'PGN-GT-2026-0042' },
      });
      expect(checkIn.status).toBe(200);
      let res: Awaited<ReturnType<typeof trace>> | undefined;
      await eventually('routing accepts the child’s referral', async () => {
        res = await trace(child.id, { subject: 'unaccompanied_child' });
        return res.status === 201;
      }, 60_000);
      res = res as Awaited<ReturnType<typeof trace>>;
      expect(res.body).toMatchObject({ arrivalId: child.id, subject: 'unaccompanied_child', referralStatus: 'sent' });
      expect((await routing.call('GET', `/v1/referrals/${res.body.referralId}`, routingStaff)).body).toMatchObject({ caseId: child.caseId, coveredPersonIds: [child.personId] });
      // Family tracing does not replace the hand-over: the child still cannot simply leave.
      expectProblem(await t.call('POST', `/v1/arrivals/${child.id}/check-out`), 409, 'child-handover-required');
    }, 120_000);

    it('passes on routing’s refusals: no referral consent (409), an unknown program (422)', async () => {
      const p = arrivals[3];
      expect((await t.call('POST', `/v1/arrivals/${p.id}/check-in`, { body: { outcome: 'arrived', desk: 'GT-CRM-01/desk-1' } })).status).toBe(200);
      await eventually('routing knows the case and finds no referral consent', async () => {
        const res = await trace(p.id);
        expect(res.status).toBe(409);
        return res.body.reason === 'no-referral-consent';
      }, 60_000);
      const unknown = await trace(p.id, { programId: '0b8f4c8e-3d4a-4b7e-9e51-8f2a1d3c4b5a' });
      expectProblem(unknown, 422, 'family-tracing-refused');
      expect(problemFields(unknown)).toEqual(['programId']);
      expect(problemFields(await trace(p.id, { programId: 'not-a-program', subject: 'cousin' })).sort()).toEqual(['programId', 'subject']);
      expect((await t.call('GET', `/v1/arrivals/${p.id}/family-tracing`)).body).toEqual([]);
    }, 120_000);

    it('answers 503 and records nothing while routing is unreachable', async () => {
      await routing.stop();
      const res = await trace(arrivals[3].id);
      expectProblem(res, 503, 'routing-unavailable');
      expect((await t.call('GET', `/v1/arrivals/${arrivals[3].id}/family-tracing`)).body).toEqual([]);
    });
  });
});
