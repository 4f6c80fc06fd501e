import { randomUUID } from 'node:crypto';
import {
  ConsentPurpose,
  ConsentRecordedSchema,
  Pathway,
  PersecutionGround,
  PersonErasedSchema,
  ProtectionFlag,
  ScreeningCancelReason,
  ScreeningRiskLevel,
  ScreeningTrigger,
  toTimestamp,
} from '@puente/contracts';
import { eventually } from '@puente/testing';
import { DEFAULT_QUESTIONNAIRE_KEY } from '../questionnaires/catalog';
import {
  type DecodedEvent,
  expectProblem,
  openCase,
  problemFields,
  publishIntake,
  type Response,
  type ScreeningTestApp,
  screeningEventsOf,
  startScreening,
  withdrawConsent,
} from '../testing/harness';
import { FARM_WORKER } from '../testing/profiles';

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const FREE_TEXT = 'Duerme en casa de su tío Andrés en Tecún Umán';

/** A Honduran man in Guatemala threatened this month by a gang for his political opinion, in three parts. */
const ASYLUM_SEEKER = [
  { q_age: 34, q_nationality: 'hn', q_current_location: 'other_country', q_arrival_date: daysAgo(10), q_indigenous: false, q_travelling_with: 'alone', q_family_abroad: 'no' },
  {
    q_fear_of_return: true,
    q_harm_sources: ['criminal_group'],
    q_harm_reasons: ['political_opinion'],
    q_last_threat: 'within_month',
    q_danger_now: false,
    q_safe_in_current_country: true,
    q_violence: ['none'],
    q_trafficking: ['none'],
  },
  {
    q_medical: 'none',
    q_pregnancy: 'not_applicable',
    q_disability: ['none'],
    q_distress: false,
    q_lgbtqi_risk: 'no',
    q_safe_place_tonight: true,
    q_intention: 'stay_here',
    q_work_abroad_interest: false,
    q_notes: FREE_TEXT,
  },
];

/** A pregnant Salvadoran woman with danger signs: urgent. */
const URGENT = {
  q_age: 24,
  q_nationality: 'sv',
  q_current_location: 'other_country',
  q_indigenous: false,
  q_travelling_with: 'with_partner_or_family',
  q_family_abroad: 'no',
  q_fear_of_return: false,
  q_violence: ['none'],
  q_trafficking: ['none'],
  q_medical: 'emergency',
  q_pregnancy: 'pregnant',
  q_pregnancy_danger_signs: true,
  q_disability: ['none'],
  q_distress: false,
  q_lgbtqi_risk: 'no',
  q_safe_place_tonight: true,
  q_intention: 'undecided',
  q_work_abroad_interest: false,
};


const ofType = (events: DecodedEvent[], type: string) => events.filter((e) => e.type === type);

describe('screening sessions (real HTTP, PostgreSQL and Kafka)', () => {
  let t: ScreeningTestApp;

  beforeAll(async () => {
    t = await startScreening('sessions');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  async function start(caseId: string): Promise<Response> {
    const res = await t.call('POST', '/v1/screenings', { body: { caseId } });
    if (res.status !== 201) throw new Error(`start: ${res.status} ${res.text}`);
    return res;
  }

  async function answer(id: string, etag: string, answers: Record<string, unknown>): Promise<Response> {
    const res = await t.call('PATCH', `/v1/screenings/${id}/answers`, { body: { answers }, headers: { 'if-match': etag } });
    if (res.status !== 200) throw new Error(`answer: ${res.status} ${res.text}`);
    return res;
  }

  async function screenAndComplete(caseId: string, parts: Record<string, unknown>[]): Promise<Response> {
    const started = await start(caseId);
    let etag = started.headers.get('etag')!;
    for (const part of parts) etag = (await answer(started.body.id, etag, part)).headers.get('etag')!;
    const done = await t.call('POST', `/v1/screenings/${started.body.id}/complete`, { headers: { 'if-match': etag } });
    if (done.status !== 200) throw new Error(`complete: ${done.status} ${done.text}`);
    return done;
  }

  const countScreenings = async (caseId: string) => Number((await t.ds.query(`SELECT count(*)::int AS n FROM screening WHERE case_id = $1`, [caseId]))[0].n);

  it("starts once intake's CaseOpened and screening consent have arrived, and publishes ScreeningStarted", async () => {
    const { caseId } = await openCase(t);
    const res = await start(caseId);
    expect(res.body).toMatchObject({
      caseId,
      status: 'in_progress',
      trigger: 'caseworker',
      previousScreeningId: null,
      questionnaire: { key: DEFAULT_QUESTIONNAIRE_KEY, version: 1, definitionSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      carriedOver: [],
    });
    expect(res.headers.get('location')).toBe(`/v1/screenings/${res.body.id}`);
    expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);

    const events = await screeningEventsOf(t, caseId, (e) => ofType(e, 'puente.screening.v1.ScreeningStarted').length > 0);
    const [started] = ofType(events, 'puente.screening.v1.ScreeningStarted');
    expect(started.key).toBe(caseId);
    expect(started.headers.ce_subject).toBe(caseId);
    expect(started.message).toMatchObject({
      screeningId: res.body.id,
      caseId,
      questionnaire: { key: DEFAULT_QUESTIONNAIRE_KEY, version: 1 },
      trigger: ScreeningTrigger.CASEWORKER,
      startedBy: { clientId: 'gt-mrc-01-caseworker-app', partnerId: 'GT-MRC-01', node: 'GT' },
    });

    const again = expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId } }), 409, 'screening-already-open');
    expect(again.screeningId).toBe(res.body.id);
  });

  it('reports its consumer lag per consumed topic on /metrics, read from the broker', async () => {
    await openCase(t); // screening has consumed at least this much
    await eventually('lag series for the consumed topics', async () => {
      const text = await (await fetch(`${t.base}/metrics`)).text();
      return ['puente.intake.case.v1', 'puente.reception.arrival.v1'].every((topic) => new RegExp(`^puente_consumer_lag\\{topic="${topic.replace(/\./g, '\\.')}"[^}]*\\} \\d+$`, 'm').test(text));
    });
  });

  it('refuses to start without a screening consent in force, with the reason, and writes nothing', async () => {
    const noConsent = await openCase(t, { consent: false });
    expect(expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId: noConsent.caseId } }), 409, 'screening-not-allowed').reason).toBe('no-screening-consent');

    expect(expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId: randomUUID() } }), 409, 'screening-not-allowed').reason).toBe('case-unknown');

    const expired = await openCase(t, { validFrom: new Date(Date.now() - 86_400_000), validUntil: new Date(Date.now() - 1000) });
    expect(expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId: expired.caseId } }), 409, 'screening-not-allowed').reason).toBe('consent-expired');

    const future = await openCase(t, { validFrom: new Date(Date.now() + 86_400_000) });
    expect(expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId: future.caseId } }), 409, 'screening-not-allowed').reason).toBe('consent-not-yet-valid');

    // A case outside the caller's jurisdictions looks unknown.
    const other = await openCase(t);
    const mexican = await t.token({ partnerId: 'MX-COMAR', node: 'MX', jurisdictions: ['MX'] });
    expect(expectProblem(await t.call('POST', '/v1/screenings', { token: mexican, body: { caseId: other.caseId } }), 409, 'screening-not-allowed').reason).toBe('case-unknown');
    const siteOnly = await t.token({ partnerId: 'GT-MRC-02', jurisdictions: ['GT-MRC-02'] });
    expect(expectProblem(await t.call('POST', '/v1/screenings', { token: siteOnly, body: { caseId: other.caseId } }), 409, 'screening-not-allowed').reason).toBe('case-unknown');

    for (const c of [noConsent, expired, future, other]) expect(await countScreenings(c.caseId)).toBe(0);
  });

  it('saves answers in parts under If-Match, refuses bad answers at their exact paths, and writes nothing then', async () => {
    const { caseId } = await openCase(t);
    const started = await start(caseId);
    const id = started.body.id;

    expectProblem(await t.call('PATCH', `/v1/screenings/${id}/answers`, { body: { answers: ASYLUM_SEEKER[0] } }), 428, 'precondition-required');
    const first = await answer(id, started.headers.get('etag')!, ASYLUM_SEEKER[0]);
    expect(first.body.version).toBe(started.body.version + 1);
    expect(first.body.answers).toEqual(ASYLUM_SEEKER[0]);
    expect(first.body.visibleQuestions).toContain('q_arrival_date');
    expect(first.body.visibleQuestions).not.toContain('q_harm_reasons');
    expect(first.body.missingRequired).toEqual(expect.arrayContaining(['q_fear_of_return', 'q_violence']));
    const etag = first.headers.get('etag')!;
    expectProblem(
      await t.call('PATCH', `/v1/screenings/${id}/answers`, { body: { answers: { q_age: 35 } }, headers: { 'if-match': started.headers.get('etag')! } }),
      412,
      'precondition-failed',
    );

    const bad = await t.call('PATCH', `/v1/screenings/${id}/answers`, {
      body: { answers: { q_fear_of_retrun: true, q_age: 'thirty', q_harm_sources: 'gangs', q_current_location: 'moon', q_indigenous: true } },
      headers: { 'if-match': etag },
    });
    expect(problemFields(expectProblem(bad, 422, 'invalid-answers')).sort()).toEqual(
      ['answers.q_age', 'answers.q_current_location', 'answers.q_fear_of_retrun', 'answers.q_harm_sources'].sort(),
    );
    const hidden = await t.call('PATCH', `/v1/screenings/${id}/answers`, { body: { answers: { q_harm_reasons: ['political_opinion'] } }, headers: { 'if-match': etag } });
    expect(expectProblem(hidden, 422, 'invalid-answers').errors).toEqual([expect.objectContaining({ field: 'answers.q_harm_reasons', code: 'hidden-question' })]);

    // Nothing was written by the refused requests (not even q_indigenous, which was valid).
    const unchanged = await t.call('GET', `/v1/screenings/${id}`);
    expect(unchanged.headers.get('etag')).toBe(etag);
    expect(unchanged.body.answers).toEqual(ASYLUM_SEEKER[0]);

    const second = await answer(id, etag, ASYLUM_SEEKER[1]);
    expect(second.body.visibleQuestions).toEqual(expect.arrayContaining(['q_harm_reasons', 'q_danger_now', 'q_safe_in_current_country']));
    // Changing an answer hides dependent questions: their answers are cleared and listed.
    const noFear = await answer(id, second.headers.get('etag')!, { q_fear_of_return: false });
    expect(noFear.body.cleared.sort()).toEqual(['q_danger_now', 'q_harm_reasons', 'q_harm_sources', 'q_last_threat', 'q_safe_in_current_country']);
    expect(noFear.body.answers).not.toHaveProperty('q_harm_reasons');

    expect(problemFields(expectProblem(await t.call('PATCH', `/v1/screenings/${id}/answers`, { body: { answers: [1] }, headers: { 'if-match': etag } }), 400))).toContain('answers');
    expect(problemFields(expectProblem(await t.call('PATCH', `/v1/screenings/${id}/answers`, { body: { answers: {}, note: 'x' }, headers: { 'if-match': etag } }), 400))).toContain('note');
    expect(problemFields(expectProblem(await t.call('GET', '/v1/screenings/not-a-uuid'), 400))).toContain('id');
    const surrogate = await t.call('PATCH', `/v1/screenings/${id}/answers`, { raw: '{"answers":{"q_notes":"caf\\ud800"}}', headers: { 'if-match': noFear.headers.get('etag')! } });
    // Text that is not storable is malformed input: the platform's 400 invalid-encoding, at its path.
    expect(expectProblem(surrogate, 400, 'invalid-encoding').errors).toEqual([expect.objectContaining({ field: 'answers.q_notes', code: 'encoding' })]);
    expectProblem(await t.call('GET', `/v1/screenings/${randomUUID()}`), 404, 'not-found');
  });

  it('completes: checks required answers, stores the result and publishes ScreeningCompleted with codes and question ids only', async () => {
    const { caseId } = await openCase(t);
    const started = await start(caseId);
    const id = started.body.id;
    let etag = (await answer(id, started.headers.get('etag')!, ASYLUM_SEEKER[0])).headers.get('etag')!;

    const incomplete = await t.call('POST', `/v1/screenings/${id}/complete`, { headers: { 'if-match': etag } });
    expect(problemFields(expectProblem(incomplete, 422, 'screening-incomplete'))).toEqual(
      expect.arrayContaining(['answers.q_fear_of_return', 'answers.q_violence', 'answers.q_trafficking', 'answers.q_medical', 'answers.q_intention']),
    );
    expect((await t.call('GET', `/v1/screenings/${id}`)).body.status).toBe('in_progress');

    for (const part of ASYLUM_SEEKER.slice(1)) etag = (await answer(id, etag, part)).headers.get('etag')!;
    const done = await t.call('POST', `/v1/screenings/${id}/complete`, { headers: { 'if-match': etag } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', riskLevel: 'high', asOf: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), completedAt: expect.any(String) });
    const expected = {
      flags: [{ flag: 'fear_of_return', reasons: ['q_fear_of_return'] }],
      fearGrounds: [{ ground: 'political_opinion', reasons: ['q_fear_of_return', 'q_harm_reasons'] }],
      risk: { level: 'high', reasons: ['q_fear_of_return', 'q_last_threat'] },
      recommendations: [
        { pathway: 'national_asylum', reasons: ['q_current_location', 'q_fear_of_return'] },
        { pathway: 'legal_aid', reasons: ['q_fear_of_return'] },
      ],
    };
    expect(done.body.result).toEqual(expected);
    const result = await t.call('GET', `/v1/screenings/${id}/result`);
    expect(result.body).toMatchObject({ screeningId: id, caseId, questionnaire: { key: DEFAULT_QUESTIONNAIRE_KEY, version: 1 }, ...expected });

    // A test consumer reads ScreeningCompleted from Kafka.
    const events = await screeningEventsOf(t, caseId, (e) => ofType(e, 'puente.screening.v1.ScreeningCompleted').length > 0);
    const [completed] = ofType(events, 'puente.screening.v1.ScreeningCompleted');
    expect(completed.message).toMatchObject({
      screeningId: id,
      caseId,
      questionnaire: { key: DEFAULT_QUESTIONNAIRE_KEY, version: 1, definitionSha256: started.body.questionnaire.definitionSha256 },
      flags: [{ flag: ProtectionFlag.FEAR_OF_RETURN, reasons: ['q_fear_of_return'] }],
      fearGrounds: [{ ground: PersecutionGround.POLITICAL_OPINION, reasons: ['q_fear_of_return', 'q_harm_reasons'] }],
      riskLevel: ScreeningRiskLevel.HIGH,
      riskReasons: ['q_fear_of_return', 'q_last_threat'],
      recommendations: [
        { pathway: Pathway.NATIONAL_ASYLUM, reasons: ['q_current_location', 'q_fear_of_return'] },
        { pathway: Pathway.LEGAL_AID, reasons: ['q_fear_of_return'] },
      ],
      completedBy: { clientId: 'gt-mrc-01-caseworker-app', partnerId: 'GT-MRC-01', node: 'GT' },
    });
    // No answers, and certainly no free text, travel on Kafka.
    for (const e of events) {
      const bytes = `${e.raw.value.toString('latin1')}${e.raw.value.toString('utf8')}${JSON.stringify(e.headers)}`;
      for (const needle of ['Tecún', 'Andrés', 'tío', 'Duerme', 'political_opinion', 'criminal_group']) expect(bytes).not.toContain(needle);
    }
    // Not urgent: no protection alert in the outbox for this case.
    const types = (await t.ds.query(`SELECT event_type FROM outbox_message WHERE message_key = $1 ORDER BY id`, [caseId])).map((r: { event_type: string }) => r.event_type);
    expect(types).toEqual(['puente.screening.v1.ScreeningStarted', 'puente.screening.v1.ScreeningCompleted']);

    // Completed is final.
    const latest = done.headers.get('etag')!;
    expect(expectProblem(await t.call('PATCH', `/v1/screenings/${id}/answers`, { body: { answers: { q_age: 35 } }, headers: { 'if-match': latest } }), 409, 'screening-not-editable').screeningStatus).toBe(
      'completed',
    );
    expectProblem(await t.call('POST', `/v1/screenings/${id}/complete`), 409, 'screening-not-editable');
    await expect(t.ds.query(`UPDATE screening SET risk_level = 'low' WHERE id = $1`, [id])).rejects.toThrow(/final/);

    const history = await t.call('GET', `/v1/cases/${caseId}/screenings`);
    expect(history.body.items).toEqual([expect.objectContaining({ id, status: 'completed', riskLevel: 'high' })]);
    expect(history.body.items[0]).not.toHaveProperty('answers');
  });

  it('raises ProtectionAlertRaised for an urgent result', async () => {
    const { caseId } = await openCase(t, { siteCode: 'GT-MRC-02' });
    const done = await screenAndComplete(caseId, [URGENT]);
    expect(done.body.result.risk).toEqual({ level: 'urgent', reasons: ['q_medical', 'q_pregnancy_danger_signs'] });
    const events = await screeningEventsOf(t, caseId, (e) => ofType(e, 'puente.screening.v1.ProtectionAlertRaised').length > 0);
    const [alert] = ofType(events, 'puente.screening.v1.ProtectionAlertRaised');
    expect(alert.message).toMatchObject({
      screeningId: done.body.id,
      caseId,
      riskLevel: ScreeningRiskLevel.URGENT,
      flags: [ProtectionFlag.SERIOUS_MEDICAL_CONDITION, ProtectionFlag.PREGNANCY],
      reasons: ['q_medical', 'q_pregnancy_danger_signs'],
      siteCode: 'GT-MRC-02',
      custodyNode: 'GT',
    });
    expect(ofType(events, 'puente.screening.v1.ScreeningCompleted')).toHaveLength(1);
  });

  it('replays a start with the same Idempotency-Key instead of starting twice', async () => {
    const { caseId } = await openCase(t);
    const key = randomUUID();
    const first = await t.call('POST', '/v1/screenings', { body: { caseId }, idempotencyKey: key });
    const second = await t.call('POST', '/v1/screenings', { body: { caseId }, idempotencyKey: key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    expect(await countScreenings(caseId)).toBe(1);
    expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId }, idempotencyKey: null }), 428, 'idempotency-key-required');
    expectProblem(await t.call('POST', '/v1/screenings', { token: await t.token({ scopes: ['screening:read'] }), body: { caseId } }), 403, 'insufficient-scope');
  });

  it('cancels the open screening when the consent is withdrawn, once even if the event is delivered twice', async () => {
    const { caseId, consentId } = await openCase(t);
    const started = await start(caseId);
    const eventId = randomUUID();
    await withdrawConsent(t, caseId, consentId!, eventId);
    await withdrawConsent(t, caseId, consentId!, eventId);
    await eventually('the screening is cancelled', async () => (await t.call('GET', `/v1/screenings/${started.body.id}`)).body.status === 'cancelled');
    const events = await screeningEventsOf(t, caseId, (e) => ofType(e, 'puente.screening.v1.ScreeningCancelled').length > 0);
    expect(ofType(events, 'puente.screening.v1.ScreeningCancelled')[0].message).toMatchObject({
      screeningId: started.body.id,
      reason: ScreeningCancelReason.CONSENT_WITHDRAWN,
      cancelledBy: { clientId: 'system' },
    });
    // A later event of the same case (same partition) marks that the duplicate was consumed before it.
    const marker = await publishIntake(t.broker, caseId, ConsentRecordedSchema, { consentId: randomUUID(), caseId, purpose: ConsentPurpose.REFERRAL, recordedAt: toTimestamp() });
    await eventually('the duplicate delivery is consumed', async () => (await t.ds.query(`SELECT 1 FROM inbox_message WHERE event_id = $1`, [marker])).length === 1);
    expect(await t.ds.query(`SELECT 1 FROM inbox_message WHERE event_id = $1`, [eventId])).toHaveLength(1);
    const cancellations = await t.ds.query(`SELECT 1 FROM outbox_message WHERE message_key = $1 AND event_type = 'puente.screening.v1.ScreeningCancelled'`, [caseId]);
    expect(cancellations).toHaveLength(1);
    expect(expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId } }), 409, 'screening-not-allowed').reason).toBe('consent-withdrawn');
  });

  it("erases the answers when intake erases the person's data, and keeps the coded result", async () => {
    const { caseId, personId } = await openCase(t);
    const done = await screenAndComplete(caseId, ASYLUM_SEEKER);
    await publishIntake(t.broker, caseId, PersonErasedSchema, { personId, caseId, erasedAt: toTimestamp() });
    const erased = await eventually('answers erased', async () => {
      const res = await t.call('GET', `/v1/screenings/${done.body.id}`);
      return res.body.answersErasedAt ? res : undefined;
    });
    expect(erased.body.answers).toEqual({});
    expect(erased.body.result).toEqual(done.body.result);
    expect(expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId } }), 409, 'screening-not-allowed').reason).toBe('person-erased');
  });

  // Publishes version 2 of the default questionnaire: keep it last in this suite.
  it('keeps completed results when a newer version is published, and re-screens on it', async () => {
    const { caseId } = await openCase(t);
    const first = await screenAndComplete(caseId, [FARM_WORKER]);
    expect(first.body.result.recommendations.map((r: { pathway: string }) => r.pathway)).toEqual(['labor_h2a', 'labor_third_country']);
    const firstResult = (await t.call('GET', `/v1/screenings/${first.body.id}/result`)).body;

    // Protection officers publish version 2: H-2A only with a passport in hand.
    const v1 = (await t.call('GET', `/v1/questionnaires/${DEFAULT_QUESTIONNAIRE_KEY}/versions/1`)).body.definition;
    const v2 = structuredClone(v1);
    const h2a = v2.rules.pathways.find((r: { pathway: string }) => r.pathway === 'labor_h2a');
    h2a.when = { and: [h2a.when, { '==': [{ var: 'q_passport' }, 'yes'] }] };
    const draft = await t.call('POST', '/v1/questionnaires', { body: { definition: v2 } });
    expect(draft.body).toMatchObject({ version: 2, issues: [] });
    expect((await t.call('POST', `/v1/questionnaires/${DEFAULT_QUESTIONNAIRE_KEY}/versions/2/publish`)).status).toBe(200);

    // The completed screening keeps its version-1 result.
    expect((await t.call('GET', `/v1/screenings/${first.body.id}/result`)).body).toEqual(firstResult);

    const rescreen = await t.call('POST', `/v1/screenings/${first.body.id}/rescreen`);
    expect(rescreen.status).toBe(201);
    expect(rescreen.body).toMatchObject({
      status: 'in_progress',
      trigger: 'rescreen',
      previousScreeningId: first.body.id,
      questionnaire: { key: DEFAULT_QUESTIONNAIRE_KEY, version: 2 },
      dropped: [],
    });
    expect(rescreen.body.carriedOver.sort()).toEqual(Object.keys(FARM_WORKER).sort());
    const second = await t.call('POST', `/v1/screenings/${rescreen.body.id}/complete`, { headers: { 'if-match': rescreen.headers.get('etag')! } });
    expect(second.status).toBe(200);
    expect(second.body.result.recommendations.map((r: { pathway: string }) => r.pathway)).toEqual(['labor_third_country']);
    expect((await t.call('GET', `/v1/screenings/${first.body.id}/result`)).body).toEqual(firstResult);

    const history = await t.call('GET', `/v1/cases/${caseId}/screenings?limit=1`);
    expect(history.body.items.map((s: { id: string }) => s.id)).toEqual([first.body.id]);
    const next = await t.call('GET', `/v1/cases/${caseId}/screenings?limit=1&cursor=${encodeURIComponent(history.body.nextCursor)}`);
    expect(next.body).toEqual({ items: [expect.objectContaining({ id: rescreen.body.id, questionnaire: expect.objectContaining({ version: 2 }) })], nextCursor: null });

    const events = await screeningEventsOf(t, caseId, (e) => ofType(e, 'puente.screening.v1.ScreeningCompleted').length === 2);
    const started = ofType(events, 'puente.screening.v1.ScreeningStarted').map((e) => e.message);
    expect(started[1]).toMatchObject({ trigger: ScreeningTrigger.RESCREEN, previousScreeningId: first.body.id, questionnaire: { version: 2 } });
    const completed = ofType(events, 'puente.screening.v1.ScreeningCompleted').map((e) => e.message as { questionnaire?: { version: number } });
    expect(completed.map((m) => m.questionnaire?.version)).toEqual([1, 2]);
  });
});
