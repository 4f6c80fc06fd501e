import { randomUUID } from 'node:crypto';
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  CaseClosedSchema,
  CaseCloseReason,
  CaseOpenedSchema,
  ConsentPurpose,
  ConsentRecordedSchema,
  decodeEvent,
  dlqTopic,
  ProtectionConcern,
  ProtectionConcernRaisedSchema,
  ScreeningCancelReason,
  ScreeningTrigger,
  Topics,
  toTimestamp,
} from '@puente/contracts';
import { DEFAULT_RETRY_POLICY, readTopic } from '@puente/messaging';
import { DEFAULT_QUESTIONNAIRE_KEY } from '../questionnaires/catalog';
import {
  consumed,
  type DecodedEvent,
  consumerGroupOf,
  expectProblem,
  openCase,
  publishIntake,
  publishReception,
  registerPerson,
  type ScreeningTestApp,
  screeningEventsOf,
  startScreening,
} from '../testing/harness';
import { FARM_WORKER } from '../testing/profiles';

/** A Guatemalan farm worker returned home, who can get a passport: every required answer of version 1. */
const RETURNEE = FARM_WORKER;

/** Several Kafka round trips per test (a fresh topic's first consumer join can take seconds). */
const SLOW = 30_000;

const RECEPTION_ACTOR = { clientId: 'crm-gt-aurora-reception-app', partnerId: 'igm-gt', node: 'GT' };

function concern(caseId: string, o: { concernId?: string; centerCode?: string; concerns?: ProtectionConcern[] } = {}): MessageInitShape<typeof ProtectionConcernRaisedSchema> {
  return {
    concernId: randomUUID(),
    arrivalId: randomUUID(),
    caseId,
    centerCode: 'GT-CRM-01',
    concerns: [ProtectionConcern.FEAR_OF_RETURN, ProtectionConcern.UNACCOMPANIED_CHILD],
    raisedAt: toTimestamp(),
    raisedBy: RECEPTION_ACTOR,
    ...o,
  };
}

describe('protection concerns from reception open pending screenings (real Kafka, HTTP and PostgreSQL)', () => {
  let t: ScreeningTestApp;

  beforeAll(async () => {
    t = await startScreening('concerns');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const screeningsOf = async (caseId: string): Promise<{ id: string; status: string; trigger: string }[]> =>
    t.ds.query(`SELECT id, status, trigger FROM screening WHERE case_id = $1 ORDER BY created_at`, [caseId]);
  /**
   * The events of one screening on the shared topic. Every screening app on the broker (other
   * suites, other runs) consumes the same reception topic with its own database and opens its own
   * pending screening for a concern, so events are told apart by screening id, not by case.
   */
  const eventsOfScreening = async (caseId: string, screeningId: string, until: (types: string[]) => boolean): Promise<DecodedEvent[]> => {
    const mine = (events: DecodedEvent[]) => events.filter((e) => (e.message as { screeningId?: string }).screeningId === screeningId);
    return mine(await screeningEventsOf(t, caseId, (events) => until(mine(events).map((e) => e.type))));
  };
  /** Every event screening wrote for the case, in order (the outbox keeps them all). */
  const outboxTypes = async (caseId: string): Promise<string[]> =>
    (await t.ds.query(`SELECT event_type FROM outbox_message WHERE message_key = $1 ORDER BY id`, [caseId])).map((r: { event_type: string }) => r.event_type);

  it('opens exactly one pending screening per concern, even when the event is delivered twice or re-sent', async () => {
    const { caseId } = await openCase(t, { consent: false });
    const raised = concern(caseId);
    const eventId = randomUUID();
    await publishReception(t.broker, caseId, ProtectionConcernRaisedSchema, raised, eventId);
    await publishReception(t.broker, caseId, ProtectionConcernRaisedSchema, raised, eventId);
    // The same concern re-sent under a new event id: the inbox does not catch it, the concern id does.
    const resent = await publishReception(t.broker, caseId, ProtectionConcernRaisedSchema, raised);
    await consumed(t, resent);

    const rows = await screeningsOf(caseId);
    expect(rows).toEqual([{ id: expect.any(String), status: 'pending', trigger: 'protection_concern' }]);
    const got = await t.call('GET', `/v1/screenings/${rows[0].id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      caseId,
      status: 'pending',
      trigger: 'protection_concern',
      concern: { concernId: raised.concernId, centerCode: 'GT-CRM-01', concerns: ['unaccompanied_child', 'fear_of_return'] },
      activatedAt: null,
      answers: {},
      questionnaire: { key: DEFAULT_QUESTIONNAIRE_KEY, version: 1 },
    });
    expect(got.body.visibleQuestions.length).toBeGreaterThan(0);
    const history = await t.call('GET', `/v1/cases/${caseId}/screenings`);
    expect(history.body.items.map((s: { id: string }) => s.id)).toEqual([rows[0].id]);

    expect(await outboxTypes(caseId)).toEqual(['puente.screening.v1.ScreeningRequested']);
    const events = await eventsOfScreening(caseId, rows[0].id, (types) => types.includes('puente.screening.v1.ScreeningRequested'));
    expect(events.map((e) => e.type)).toEqual(['puente.screening.v1.ScreeningRequested']);
    expect(events[0].message).toMatchObject({
      screeningId: rows[0].id,
      caseId,
      concernId: raised.concernId,
      centerCode: 'GT-CRM-01',
      questionnaire: { key: DEFAULT_QUESTIONNAIRE_KEY, version: 1 },
      requestedBy: RECEPTION_ACTOR,
    });
    const audit = await t.ds.query(`SELECT action, purpose, actor_client_id, actor_partner_id, request_id FROM audit_record WHERE object_id = $1 ORDER BY seq`, [rows[0].id]);
    expect(audit[0]).toEqual({ action: 'screening.request', purpose: 'screening', actor_client_id: RECEPTION_ACTOR.clientId, actor_partner_id: 'igm-gt', request_id: eventId });
  }, SLOW);

  it('refuses to start a pending screening without a screening consent (409 with the reason), and starts it once the consent arrives', async () => {
    const { caseId, personId } = await openCase(t, { consent: false });
    await consumed(t, await publishReception(t.broker, caseId, ProtectionConcernRaisedSchema, concern(caseId, { concerns: [ProtectionConcern.TRAFFICKING_INDICATORS] })));
    const [pending] = await screeningsOf(caseId);

    const refused = expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId } }), 409, 'screening-not-allowed');
    expect(refused.reason).toBe('no-screening-consent');
    const etag = (await t.call('GET', `/v1/screenings/${pending.id}`)).headers.get('etag')!;
    const answerRefused = await t.call('PATCH', `/v1/screenings/${pending.id}/answers`, { body: { answers: { q_age: 30 } }, headers: { 'if-match': etag } });
    expect(expectProblem(answerRefused, 409, 'screening-not-allowed').reason).toBe('no-screening-consent');
    expect(expectProblem(await t.call('POST', `/v1/screenings/${pending.id}/complete`), 409, 'screening-not-allowed').reason).toBe('no-screening-consent');
    expect(await screeningsOf(caseId)).toEqual([{ id: pending.id, status: 'pending', trigger: 'protection_concern' }]);

    const consentId = randomUUID();
    await consumed(
      t,
      await publishIntake(t.broker, caseId, ConsentRecordedSchema, {
        consentId,
        caseId,
        personId,
        purpose: ConsentPurpose.SCREENING,
        validFrom: toTimestamp(new Date(Date.now() - 60_000)),
        recordedAt: toTimestamp(),
      }),
    );
    const started = await t.call('POST', '/v1/screenings', { body: { caseId } });
    expect(started.status).toBe(200);
    expect(started.headers.get('location')).toBe(`/v1/screenings/${pending.id}`);
    expect(started.body).toMatchObject({ id: pending.id, status: 'in_progress', trigger: 'protection_concern', activatedAt: expect.any(String) });

    const answered = await t.call('PATCH', `/v1/screenings/${pending.id}/answers`, {
      body: { answers: { q_age: 30, q_nationality: 'gt', q_current_location: 'country_of_origin' } },
      headers: { 'if-match': started.headers.get('etag')! },
    });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ status: 'in_progress', answers: { q_age: 30 } });
    // Now it is open and in progress: a second start is the usual 409, not a second activation.
    expect(expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId } }), 409, 'screening-already-open').screeningId).toBe(pending.id);

    expect(await outboxTypes(caseId)).toEqual(['puente.screening.v1.ScreeningRequested', 'puente.screening.v1.ScreeningStarted']);
    const events = await eventsOfScreening(caseId, pending.id, (types) => types.includes('puente.screening.v1.ScreeningStarted'));
    expect(events.map((e) => e.type)).toEqual(['puente.screening.v1.ScreeningRequested', 'puente.screening.v1.ScreeningStarted']);
    const startedEvent = events[1];
    expect(startedEvent.message).toMatchObject({ screeningId: pending.id, trigger: ScreeningTrigger.PROTECTION_CONCERN, startedBy: { clientId: 'gt-mrc-01-caseworker-app', node: 'GT' } });
    expect(startedEvent.message.$typeName === 'puente.screening.v1.ScreeningStarted' && startedEvent.message.concernId).toBe(
      (await t.call('GET', `/v1/screenings/${pending.id}`)).body.concern.concernId,
    );
  }, SLOW);

  it('opens a pending screening for a case intake has not published yet, which intake completes later; answering it starts it', async () => {
    const caseId = randomUUID();
    const raised = concern(caseId, { centerCode: 'GT-CRM-01', concerns: [ProtectionConcern.SURVIVOR_OF_VIOLENCE, 999 as ProtectionConcern] });
    await consumed(t, await publishReception(t.broker, caseId, ProtectionConcernRaisedSchema, raised));
    const [pending] = await screeningsOf(caseId);
    expect(pending).toMatchObject({ status: 'pending' });
    expect((await t.ds.query(`SELECT reference, site_code, custody_node, known_from FROM case_record WHERE case_id = $1`, [caseId]))[0]).toEqual({
      reference: null,
      site_code: 'GT-CRM-01',
      custody_node: 'GT',
      known_from: 'reception',
    });
    // A code this service does not know yet counts as "other"; nothing is lost.
    expect((await t.call('GET', `/v1/screenings/${pending.id}`)).body.concern.concerns).toEqual(['survivor_of_violence', 'other']);
    // Visible only in the center's jurisdiction.
    const mexico = await t.token({ jurisdictions: ['MX'], partnerId: 'MX-MRC-01', node: 'MX' });
    expect((await t.call('GET', `/v1/screenings/${pending.id}`, { token: mexico })).status).toBe(404);
    // Nobody to screen yet: intake has not registered anyone on the case.
    expect(expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId } }), 409, 'screening-not-allowed').reason).toBe('person-unknown');

    await publishIntake(t.broker, caseId, CaseOpenedSchema, { caseId, reference: 'GT-2026-900001', siteCode: 'GT-MRC-01', custodyNode: 'GT', openedAt: toTimestamp() });
    const personId = await registerPerson(t, caseId);
    await consumed(
      t,
      await publishIntake(t.broker, caseId, ConsentRecordedSchema, { consentId: randomUUID(), caseId, personId, purpose: ConsentPurpose.SCREENING, recordedAt: toTimestamp() }),
    );
    expect((await t.ds.query(`SELECT reference, site_code, known_from FROM case_record WHERE case_id = $1`, [caseId]))[0]).toEqual({
      reference: 'GT-2026-900001',
      site_code: 'GT-MRC-01',
      known_from: 'intake',
    });

    const etag = (await t.call('GET', `/v1/screenings/${pending.id}`)).headers.get('etag')!;
    const answered = await t.call('PATCH', `/v1/screenings/${pending.id}/answers`, { body: { answers: RETURNEE }, headers: { 'if-match': etag } });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ status: 'in_progress', activatedAt: expect.any(String), missingRequired: [] });
    const done = await t.call('POST', `/v1/screenings/${pending.id}/complete`, { headers: { 'if-match': answered.headers.get('etag')! } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'completed', trigger: 'protection_concern' });
    expect(await outboxTypes(caseId)).toEqual([
      'puente.screening.v1.ScreeningRequested',
      'puente.screening.v1.ScreeningStarted',
      'puente.screening.v1.ScreeningCompleted',
    ]);
  }, SLOW);

  it('opens nothing new when the case already has an open screening (in progress or pending), or is closed', async () => {
    const { caseId } = await openCase(t);
    const started = await t.call('POST', '/v1/screenings', { body: { caseId } });
    expect(started.status).toBe(201);
    await consumed(t, await publishReception(t.broker, caseId, ProtectionConcernRaisedSchema, concern(caseId)));
    expect(await screeningsOf(caseId)).toEqual([{ id: started.body.id, status: 'in_progress', trigger: 'caseworker' }]);
    expect(await outboxTypes(caseId)).toEqual(['puente.screening.v1.ScreeningStarted']);

    const other = await openCase(t, { consent: false });
    await consumed(t, await publishReception(t.broker, other.caseId, ProtectionConcernRaisedSchema, concern(other.caseId)));
    await consumed(t, await publishReception(t.broker, other.caseId, ProtectionConcernRaisedSchema, concern(other.caseId, { concerns: [ProtectionConcern.MEDICAL_EMERGENCY] })));
    expect((await screeningsOf(other.caseId)).map((s) => s.status)).toEqual(['pending']);
    expect((await t.call('GET', `/v1/cases/${other.caseId}/screenings`)).body.items[0].concern.concerns).toEqual(['unaccompanied_child', 'fear_of_return']);

    const closed = await openCase(t, { consent: false });
    await consumed(t, await publishIntake(t.broker, closed.caseId, CaseClosedSchema, { caseId: closed.caseId, closedAt: toTimestamp(), reason: CaseCloseReason.SERVICES_COMPLETED }));
    await consumed(t, await publishReception(t.broker, closed.caseId, ProtectionConcernRaisedSchema, concern(closed.caseId)));
    expect(await screeningsOf(closed.caseId)).toEqual([]);
    expect(await outboxTypes(closed.caseId)).toEqual([]);
  }, SLOW);

  it('opens a new pending screening after a completed one', async () => {
    const { caseId } = await openCase(t);
    const started = await t.call('POST', '/v1/screenings', { body: { caseId } });
    const answered = await t.call('PATCH', `/v1/screenings/${started.body.id}/answers`, { body: { answers: RETURNEE }, headers: { 'if-match': started.headers.get('etag')! } });
    expect((await t.call('POST', `/v1/screenings/${started.body.id}/complete`, { headers: { 'if-match': answered.headers.get('etag')! } })).status).toBe(200);
    await consumed(t, await publishReception(t.broker, caseId, ProtectionConcernRaisedSchema, concern(caseId)));
    expect((await screeningsOf(caseId)).map((s) => [s.status, s.trigger])).toEqual([
      ['completed', 'caseworker'],
      ['pending', 'protection_concern'],
    ]);
    // Consent is in force: the caseworker's start takes the pending screening up.
    const again = await t.call('POST', '/v1/screenings', { body: { caseId } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: (await screeningsOf(caseId))[1].id, status: 'in_progress' });
  }, SLOW);

  it('cancels a pending screening when intake closes the case', async () => {
    const caseId = randomUUID();
    await consumed(t, await publishReception(t.broker, caseId, ProtectionConcernRaisedSchema, concern(caseId)));
    const [pending] = await screeningsOf(caseId);
    await consumed(t, await publishIntake(t.broker, caseId, CaseClosedSchema, { caseId, closedAt: toTimestamp(), reason: CaseCloseReason.OPENED_IN_ERROR }));
    expect((await t.call('GET', `/v1/screenings/${pending.id}`)).body).toMatchObject({ status: 'cancelled', cancelReason: 'case_closed', activatedAt: null });
    const events = await eventsOfScreening(caseId, pending.id, (types) => types.includes('puente.screening.v1.ScreeningCancelled'));
    expect(events.map((e) => e.type)).toEqual(['puente.screening.v1.ScreeningRequested', 'puente.screening.v1.ScreeningCancelled']);
    expect(events[1].message).toMatchObject({ screeningId: pending.id, reason: ScreeningCancelReason.CASE_CLOSED });
  }, SLOW);

  it('dead-letters a concern that breaks the contract, without retries, and goes on with the next one', async () => {
    const caseId = randomUUID();
    const badCenter = await publishReception(t.broker, caseId, ProtectionConcernRaisedSchema, concern(caseId, { centerCode: 'La Aurora' }));
    const noCodes = await publishReception(t.broker, caseId, ProtectionConcernRaisedSchema, concern(caseId, { concerns: [ProtectionConcern.UNSPECIFIED] }));
    const good = await publishReception(t.broker, caseId, ProtectionConcernRaisedSchema, concern(caseId));
    await consumed(t, good);
    expect((await screeningsOf(caseId)).map((s) => s.status)).toEqual(['pending']);
    const group = consumerGroupOf('concerns');
    const dead = await readTopic(t.broker, dlqTopic(Topics.receptionArrival.name), {
      until: (seen) => [badCenter, noCodes].every((id) => seen.some((m) => m.headers.ce_id === id && m.headers.dlq_consumer_group === group)),
    });
    const mine = dead.filter((m) => m.headers.dlq_consumer_group === group && [badCenter, noCodes].includes(m.headers.ce_id));
    expect(mine.map((m) => m.headers.dlq_error_type)).toEqual(['NonRetryableError', 'NonRetryableError']);
    expect(mine[0].headers.dlq_error_message).toContain('center_code is not a site code');
    expect(mine[1].headers.dlq_error_message).toContain('concerns is empty');
    // Not retried with backoff: fewer attempts than the retry policy allows.
    for (const m of mine) expect(Number(m.headers.dlq_attempts)).toBeLessThan(DEFAULT_RETRY_POLICY.maxAttempts);
    // The dead letter keeps the original payload for a replay.
    expect(decodeEvent('puente.reception.v1.ProtectionConcernRaised', mine[0].value).centerCode).toBe('La Aurora');
  }, SLOW);

  it('keeps the pending screening when a consent arrives, until a caseworker starts it', async () => {
    const { caseId } = await openCase(t, { consent: false });
    await consumed(t, await publishReception(t.broker, caseId, ProtectionConcernRaisedSchema, concern(caseId)));
    await consumed(
      t,
      await publishIntake(t.broker, caseId, ConsentRecordedSchema, { consentId: randomUUID(), caseId, purpose: ConsentPurpose.SCREENING, recordedAt: toTimestamp() }),
    );
    expect((await screeningsOf(caseId)).map((s) => s.status)).toEqual(['pending']);
    expect(await outboxTypes(caseId)).toEqual(['puente.screening.v1.ScreeningRequested']);
  }, SLOW);
});
