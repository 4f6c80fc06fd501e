import { randomUUID } from 'node:crypto';
import { decodeEvent, type ReferralCompleted, ReferralStatus, Topics } from '@puente/contracts';
import { expectProblem, problemFields } from '@puente/testing';
import { ReferralCaseChanges } from './referral-case-changes';
import { ReferralsService } from './referrals.service';
import { SlaSweeper } from './sla-sweeper';
import { addPartnerWithProgram, eventsOf, openCase, type ReferralApp, startReferralApp, withdrawReferralConsent } from './spec/fixtures';

const COMAR = 'MX-COMAR-T1';
const ACNUR = 'MX-ACNUR-T1';
const OTHER = 'MX-OTHER-T1';

describe('referrals over HTTP (real PostgreSQL and Kafka)', () => {
  let app: ReferralApp;
  let comarProgram: string;
  let acnurProgram: string;
  let partner: (id: string) => Promise<string>;

  beforeAll(async () => {
    app = await startReferralApp('referrals');
    ({ programId: comarProgram } = await addPartnerWithProgram(app, { partnerId: COMAR, pathway: 'asylum', slots: 50 }));
    ({ programId: acnurProgram } = await addPartnerWithProgram(app, { partnerId: ACNUR, pathway: 'cam', slots: 1 }));
    await addPartnerWithProgram(app, { partnerId: OTHER });
    partner = (id) => app.token({ partnerId: id, node: 'MX', jurisdictions: ['MX'], scopes: ['referrals:read', 'referrals:write'] });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  async function refer(programId = comarProgram, partners = [COMAR, ACNUR, OTHER]) {
    const opened = await openCase(app, { partners, members: 2 });
    const { caseId, personIds } = opened;
    const res = await app.call('POST', '/v1/referrals', { body: { caseId, programId, coveredPersonIds: [personIds[0]], reason: 'routing_suggestion' } });
    if (res.status !== 201) throw new Error(`${res.status} ${res.text}`);
    return { caseId, personIds, opened, referral: res.body };
  }

  it('creates a referral that a REST-pull partner finds sent, with the case minimized to agreement ∩ consent', async () => {
    const { caseId, personIds, referral } = await refer();
    expect(referral).toMatchObject({ status: 'sent', statusReason: 'available_for_pull', partnerId: COMAR, pathway: 'asylum', coveredPersonIds: [personIds[0]], referringPartnerId: 'GT-MRC-01' });
    expect(referral.history.map((h: { action: string }) => h.action)).toEqual(['request', 'send']);
    const token = await partner(COMAR);
    const mine = await app.call('GET', `/v1/partner/referrals/${referral.id}`, { token });
    expect(mine.status).toBe(200);
    // The agreement lists caseId, coveredPersonIds, ageBand, nationality, flags; sex, site and risk are consented but not agreed.
    expect(mine.body.case).toEqual({ caseId, coveredPersonIds: [personIds[0]], ageBand: '18-59', nationality: 'HN', flags: ['fear_of_return'] });
    expect(mine.body.allowedActions).toEqual(['receive', 'accept', 'reject']);
  });

  it('refuses without a referral consent (409), for an ineligible case (422 with the failed rules) and an unknown program (422)', async () => {
    const { caseId, personIds } = await openCase(app, { partners: [] });
    const noConsent = await app.call('POST', '/v1/referrals', { body: { caseId, programId: comarProgram, coveredPersonIds: personIds, reason: 'caseworker_referral' } });
    expect(expectProblem(noConsent, 409, 'referral-not-allowed').reason).toBe('no-referral-consent');

    const { programId: minorsOnly } = await addPartnerWithProgram(app, { partnerId: 'GT-CAM-T1', pathway: 'cam', eligibilityRule: { in: [{ var: 'age_band' }, ['0-4', '5-11', '12-17']] } });
    const adult = await openCase(app, { partners: ['GT-CAM-T1'] });
    const ineligible = await app.call('POST', '/v1/referrals', { body: { caseId: adult.caseId, programId: minorsOnly, coveredPersonIds: adult.personIds, reason: 'caseworker_referral' } });
    const problem = expectProblem(ineligible, 422, 'case-not-eligible');
    expect(problem.failedRules).toEqual([expect.objectContaining({ rule: 'eligibility', decidedBy: ['age_band'] })]);

    const unknown = await app.call('POST', '/v1/referrals', { body: { caseId, programId: randomUUID(), coveredPersonIds: personIds, reason: 'caseworker_referral' } });
    expect(problemFields(expectProblem(unknown, 422, 'unknown-program'))).toEqual(['programId']);

    const stranger = await openCase(app, { partners: [COMAR] });
    const notMember = await app.call('POST', '/v1/referrals', { body: { caseId: stranger.caseId, programId: comarProgram, coveredPersonIds: [randomUUID()], reason: 'caseworker_referral' } });
    expect(problemFields(expectProblem(notMember, 422, 'invalid-referral'))).toEqual(['coveredPersonIds']);

    const bad = await app.call('POST', '/v1/referrals', { body: { caseId: 'x', programId: comarProgram, coveredPersonIds: [], reason: 'because', extra: 1 } });
    expect(problemFields(expectProblem(bad, 400)).sort()).toEqual(['caseId', 'coveredPersonIds', 'extra', 'reason']);

    const missingCase = await app.call('POST', '/v1/referrals', { body: { caseId: randomUUID(), programId: comarProgram, coveredPersonIds: [randomUUID()], reason: 'caseworker_referral' } });
    expectProblem(missingCase, 404);
  });

  it('one open referral per case and program; the same Idempotency-Key replays', async () => {
    const { caseId, personIds } = await openCase(app, { partners: [COMAR] });
    const body = { caseId, programId: comarProgram, coveredPersonIds: personIds, reason: 'caseworker_referral' };
    const first = await app.call('POST', '/v1/referrals', { body, idempotencyKey: `k-${caseId}` });
    const replay = await app.call('POST', '/v1/referrals', { body, idempotencyKey: `k-${caseId}` });
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expectProblem(await app.call('POST', '/v1/referrals', { body }), 409, 'referral-already-open');
  });

  it('walks the whole lifecycle, with milestones and an outcome, every step an event keyed by the case', async () => {
    const { caseId, referral } = await refer();
    const token = await partner(COMAR);
    const act = (action: string, body: object) => app.call('POST', `/v1/partner/referrals/${referral.id}/${action}`, { token, body });
    expect((await app.call('POST', `/v1/partner/referrals/${referral.id}/acknowledge`, { token })).body.status).toBe('received');
    expect((await act('accept', { reason: 'meets_criteria' })).body.status).toBe('accepted');
    expect((await act('start', { reason: 'procedure_opened', milestone: 'claim_registered' })).body).toMatchObject({ status: 'in_progress', businessStatus: 'claim_registered' });
    expect((await act('progress', { reason: 'milestone_reached', milestone: 'interview' })).body.businessStatus).toBe('interview');
    const back = await act('progress', { reason: 'milestone_reached', milestone: 'claim_registered' });
    expect(problemFields(expectProblem(back, 422, 'invalid-referral-transition'))).toEqual(['milestone']);
    expect(problemFields(expectProblem(await act('complete', { reason: 'pathway_decision_issued' }), 422))).toEqual(['outcome']);
    const done = await act('complete', { reason: 'pathway_decision_issued', milestone: 'decision', outcome: 'status_granted' });
    expect(done.body).toMatchObject({ status: 'completed', outcome: 'status_granted', businessStatus: 'decision', allowedActions: [] });

    // The referring caseworker sees the outcome and who did what.
    const seen = await app.call('GET', `/v1/referrals/${referral.id}`);
    expect(seen.body.history.map((h: { action: string; actorRole: string }) => `${h.action}:${h.actorRole}`)).toEqual([
      'request:referrer',
      'send:system',
      'receive:partner',
      'accept:partner',
      'start:partner',
      'progress:partner',
      'complete:partner',
    ]);
    const events = await eventsOf(app, Topics.referral.name, caseId, 7);
    expect(events.map((e) => e.type.replace('puente.referral.v1.', ''))).toEqual([
      'ReferralRequested',
      'ReferralSent',
      'ReferralReceived',
      'ReferralAccepted',
      'ReferralStarted',
      'ReferralProgressed',
      'ReferralCompleted',
    ]);
    const completed = decodeEvent(events[6].type, events[6].value) as unknown as ReferralCompleted;
    expect(completed.transition?.status).toBe(ReferralStatus.COMPLETED);
    expect(completed.transition?.actor?.partnerId).toBe(COMAR);
  });

  it('answers illegal transitions with 409, repeated callbacks with the referral as it is, and refuses the other side’s actions', async () => {
    const { referral } = await refer();
    const token = await partner(COMAR);
    const first = await app.call('POST', `/v1/partner/referrals/${referral.id}/acknowledge`, { token });
    const again = await app.call('POST', `/v1/partner/referrals/${referral.id}/acknowledge`, { token });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(first.body.version);
    // A retried callback with its Idempotency-Key gets the first answer back, replayed.
    const accept = { token, body: { reason: 'meets_criteria' }, idempotencyKey: `accept-${referral.id}` };
    const accepted = await app.call('POST', `/v1/partner/referrals/${referral.id}/accept`, accept);
    const replayed = await app.call('POST', `/v1/partner/referrals/${referral.id}/accept`, accept);
    expect([accepted.status, replayed.status, replayed.headers.get('idempotent-replayed'), replayed.body.version]).toEqual([200, 200, 'true', accepted.body.version]);
    // Without the key, accepting again is a repeat: the referral as it is, not a conflict.
    expect((await app.call('POST', `/v1/partner/referrals/${referral.id}/accept`, { token, body: { reason: 'meets_criteria' } })).body.version).toBe(accepted.body.version);
    const start = await app.call('POST', `/v1/partner/referrals/${referral.id}/hold`, { token, body: { reason: 'waitlisted' } });
    expect(start.body).toMatchObject({ status: 'on_hold' });
    const startHeld = await app.call('POST', `/v1/partner/referrals/${referral.id}/start`, { token, body: { reason: 'services_started' } });
    expect(expectProblem(startHeld, 409, 'illegal-referral-transition')).toMatchObject({ referralStatus: 'on_hold', action: 'start' });
    const wrongReason = await app.call('POST', `/v1/partner/referrals/${referral.id}/reject`, { token, body: { reason: 'acknowledged' } });
    expect(problemFields(expectProblem(wrongReason, 422))).toEqual(['reason']);
    expect((await app.call('POST', `/v1/partner/referrals/${referral.id}/reject`, { token, body: { reason: 'no_capacity' } })).body.status).toBe('rejected');
    const cancel = await app.call('POST', `/v1/referrals/${referral.id}/cancel`, { body: { reason: 'referred_elsewhere' } });
    expectProblem(cancel, 409, 'illegal-referral-transition');
    const partnerCancel = await app.call('POST', `/v1/partner/referrals/${referral.id}/cancel`, { token, body: { reason: 'referred_elsewhere' } });
    expectProblem(partnerCancel, 400);
  });

  it('a stale ETag is 412; the current one moves the referral (PATCH needs If-Match)', async () => {
    const { referral } = await refer();
    const read = await app.call('GET', `/v1/referrals/${referral.id}`);
    const etag = read.headers.get('etag') as string;
    expectProblem(await app.call('PATCH', `/v1/referrals/${referral.id}`, { body: { action: 'hold', reason: 'awaiting_documents' } }), 428);
    const token = await partner(COMAR);
    await app.call('POST', `/v1/partner/referrals/${referral.id}/acknowledge`, { token });
    expectProblem(await app.call('PATCH', `/v1/referrals/${referral.id}`, { body: { action: 'hold', reason: 'awaiting_documents' }, headers: { 'if-match': etag } }), 412);
    expectProblem(await app.call('POST', `/v1/referrals/${referral.id}/hold`, { body: { reason: 'awaiting_documents' }, headers: { 'if-match': etag } }), 412);
    const fresh = (await app.call('GET', `/v1/referrals/${referral.id}`)).headers.get('etag') as string;
    const held = await app.call('PATCH', `/v1/referrals/${referral.id}`, { body: { action: 'hold', reason: 'awaiting_documents' }, headers: { 'if-match': fresh } });
    expect(held.body).toMatchObject({ status: 'on_hold' });
    const resumed = await app.call('POST', `/v1/referrals/${referral.id}/resume`, { body: { reason: 'documents_received' } });
    expect(resumed.body.status).toBe('received');
  });

  it('20 parallel accepts race for the last slot: exactly one wins, the rest are 409 program-full, and rejecting gives the slot back', async () => {
    const referrals = await Promise.all(Array.from({ length: 20 }, () => refer(acnurProgram)));
    const token = await partner(ACNUR);
    const answers = await Promise.all(referrals.map(({ referral }) => app.call('POST', `/v1/partner/referrals/${referral.id}/accept`, { token, body: { reason: 'meets_criteria' } })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const a of answers.filter((x) => x.status === 409)) expectProblem(a, 409, 'program-full');
    const [{ open_slots: afterRace }] = (await app.ds.query(`SELECT open_slots FROM directory_program WHERE id = $1`, [acnurProgram])) as { open_slots: number }[];
    expect(afterRace).toBe(0);
    const winner = answers.find((a) => a.status === 200)!.body;
    await app.call('POST', `/v1/referrals/${winner.id}/cancel`, { body: { reason: 'person_departed' } });
    const [{ open_slots: afterCancel }] = (await app.ds.query(`SELECT open_slots FROM directory_program WHERE id = $1`, [acnurProgram])) as { open_slots: number }[];
    expect(afterCancel).toBe(1);
  }, 60_000);

  it('every partner route with another partner’s token answers 404, and lists show only the caller’s own', async () => {
    const { referral } = await refer();
    const other = await partner(OTHER);
    const id = referral.id as string;
    const routes: [string, string, object?][] = [
      ['GET', `/v1/partner/referrals/${id}`],
      ['POST', `/v1/partner/referrals/${id}/acknowledge`],
      ['POST', `/v1/partner/referrals/${id}/receive`, { reason: 'acknowledged' }],
      ['POST', `/v1/partner/referrals/${id}/accept`, { reason: 'meets_criteria' }],
      ['POST', `/v1/partner/referrals/${id}/reject`, { reason: 'no_capacity' }],
      ['POST', `/v1/partner/referrals/${id}/start`, { reason: 'services_started' }],
      ['POST', `/v1/partner/referrals/${id}/hold`, { reason: 'waitlisted' }],
      ['POST', `/v1/partner/referrals/${id}/resume`, { reason: 'capacity_available' }],
      ['POST', `/v1/partner/referrals/${id}/progress`, { reason: 'milestone_reached', milestone: 'interview' }],
      ['POST', `/v1/partner/referrals/${id}/complete`, { reason: 'services_delivered', outcome: 'services_delivered' }],
      ['POST', `/v1/partner/referrals/${id}/messages`, { kind: 'note', body: 'hello' }],
      ['GET', `/v1/partner/referrals/${id}/messages`],
      // The caseworker side is not the partner's either.
      ['GET', `/v1/referrals/${id}`],
      ['POST', `/v1/referrals/${id}/cancel`, { reason: 'referred_elsewhere' }],
      ['POST', `/v1/referrals/${id}/hold`, { reason: 'awaiting_documents' }],
      ['POST', `/v1/referrals/${id}/resume`, { reason: 'documents_received' }],
      ['POST', `/v1/referrals/${id}/mark_in_error`, { reason: 'wrong_case' }],
      ['PATCH', `/v1/referrals/${id}`, { action: 'cancel', reason: 'referred_elsewhere' }],
      ['POST', `/v1/referrals/${id}/messages`, { kind: 'note', body: 'hello' }],
      ['GET', `/v1/referrals/${id}/messages`],
    ];
    for (const [method, path, body] of routes) {
      const headers = method === 'PATCH' ? { 'if-match': '*' } : undefined;
      expect([method, path, (await app.call(method, path, { token: other, body, headers })).status]).toEqual([method, path, 404]);
    }
    expect((await app.call('GET', '/v1/referrals?limit=200', { token: other })).body.items).toEqual([]);
    // The receiving partner cannot use the caseworker side of its own referral either.
    expect((await app.call('POST', `/v1/referrals/${id}/cancel`, { token: await partner(COMAR), body: { reason: 'referred_elsewhere' } })).status).toBe(404);
    const list = await app.call('GET', '/v1/partner/referrals?limit=200', { token: other });
    expect(list.body.items).toEqual([]);
    // Nothing changed.
    expect((await app.call('GET', `/v1/referrals/${id}`)).body.status).toBe('sent');
  });

  it('lists the partner’s referrals newest first with a cursor', async () => {
    const token = await app.token({ partnerId: 'MX-PAGES-T1', node: 'MX', jurisdictions: ['MX'], scopes: ['referrals:read', 'referrals:write'] });
    const { programId } = await addPartnerWithProgram(app, { partnerId: 'MX-PAGES-T1' });
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await refer(programId, ['MX-PAGES-T1'])).referral.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await app.call('GET', `/v1/partner/referrals?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token });
      seen.push(...page.body.items.map((r) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
    const sent = await app.call('GET', '/v1/partner/referrals?status=received', { token });
    expect(sent.body.items).toEqual([]);
  });

  it('carries messages between caseworker and partner, and sub-referrals name their parent', async () => {
    const { caseId, personIds, referral } = await refer();
    const token = await partner(COMAR);
    const ask = await app.call('POST', `/v1/partner/referrals/${referral.id}/messages`, { token, body: { kind: 'information_request', body: 'Which date was the last threat?' } });
    expect(ask.status).toBe(201);
    const answer = await app.call('POST', `/v1/referrals/${referral.id}/messages`, { body: { kind: 'information_response', body: 'Last March.', inReplyTo: ask.body.id } });
    expect(answer.body).toMatchObject({ author: 'referrer', inReplyTo: ask.body.id });
    const thread = await app.call('GET', `/v1/partner/referrals/${referral.id}/messages`, { token });
    expect(thread.body.items.map((m: { kind: string }) => m.kind)).toEqual(['information_request', 'information_response']);
    const events = await eventsOf(app, Topics.referral.name, caseId, 4);
    // Messages travel as ids and codes only.
    expect(events.map((e) => e.value.toString('latin1')).join('')).not.toContain('threat');

    const sub = await app.call('POST', '/v1/referrals', { body: { caseId, programId: acnurProgram, coveredPersonIds: [personIds[1]], reason: 'caseworker_referral', partOf: referral.id } });
    expect(sub.body).toMatchObject({ partOf: referral.id, statusReason: 'available_for_pull' });
    const foreignParent = await app.call('POST', '/v1/referrals', {
      token: await app.token({ partnerId: 'GT-MRC-02' }),
      body: { caseId, programId: acnurProgram, coveredPersonIds: [personIds[0]], reason: 'caseworker_referral', partOf: referral.id },
    });
    expect(problemFields(expectProblem(foreignParent, 422))).toEqual(['partOf']);
  });

  it('expires referrals whose partner missed the acknowledge or the decide deadline, with an SLA breach event (clock moved, no waiting)', async () => {
    const { caseId, referral } = await refer();
    const sweeper = app.app.get(SlaSweeper);
    expect(await sweeper.sweep(new Date(Date.now() + 23 * 3_600_000))).toBe(0);
    expect(await sweeper.sweep(new Date(Date.now() + 25 * 3_600_000))).toBeGreaterThanOrEqual(1);
    const expired = await app.call('GET', `/v1/referrals/${referral.id}`);
    expect(expired.body).toMatchObject({ status: 'expired', statusReason: 'acknowledge_sla_missed' });
    const events = await eventsOf(app, Topics.referral.name, caseId, 4);
    expect(events.map((e) => e.type.replace('puente.referral.v1.', '')).slice(2)).toEqual(['ReferralSlaBreached', 'ReferralExpired']);

    // Acknowledged but not decided: the decide deadline (72 h) applies.
    const acknowledged = await refer();
    await app.call('POST', `/v1/partner/referrals/${acknowledged.referral.id}/acknowledge`, { token: await partner(COMAR) });
    await sweeper.sweep(new Date(Date.now() + 25 * 3_600_000));
    expect((await app.call('GET', `/v1/referrals/${acknowledged.referral.id}`)).body.status).toBe('received');
    await sweeper.sweep(new Date(Date.now() + 73 * 3_600_000));
    expect((await app.call('GET', `/v1/referrals/${acknowledged.referral.id}`)).body).toMatchObject({ status: 'expired', statusReason: 'decision_sla_missed' });
  });

  it('delivers to a Kafka partner on its own topic as JSON, minimized, and tells it of a cancellation', async () => {
    const { programId } = await addPartnerWithProgram(app, { partnerId: 'MX-KAFKA-T1', channels: ['kafka'], agreementFields: ['caseId', 'nationality'] });
    const { caseId, personIds } = await openCase(app, { partners: ['MX-KAFKA-T1'] });
    const res = await app.call('POST', '/v1/referrals', { body: { caseId, programId, coveredPersonIds: personIds, reason: 'caseworker_referral' } });
    expect(res.body).toMatchObject({ status: 'sent', statusReason: 'kafka_published', channels: ['kafka'] });
    await app.call('POST', `/v1/referrals/${res.body.id}/cancel`, { body: { reason: 'declined_by_person' } });
    const records = await eventsOf(app, 'puente.partner.mx-kafka-t1.v1', res.body.id, 2);
    expect(records.map((r) => [r.type, r.headers['content-type']])).toEqual([
      ['puente.partner.v1.referral.requested', 'application/json'],
      ['puente.partner.v1.referral.cancelled', 'application/json'],
    ]);
    const requested = JSON.parse(records[0].value.toString('utf8'));
    expect(requested).toMatchObject({ type: 'referral.requested', data: { referral: { id: res.body.id, status: 'sent', statusReason: 'kafka_published' }, case: { caseId, nationality: 'HN' } } });
    // Only what the agreement and the consent both allow.
    expect(Object.keys(requested.data.case).sort()).toEqual(['caseId', 'nationality']);
    expect(JSON.parse(records[1].value.toString('utf8')).data).toEqual({ referralId: res.body.id, status: 'cancelled', statusReason: 'declined_by_person', businessStatus: null });
  });

  it('cancels a case’s open referrals when intake says the referral consent for their partner was withdrawn, releasing the slot', async () => {
    const { caseId, opened, referral } = await refer(comarProgram, [COMAR, ACNUR]);
    const token = await partner(COMAR);
    await app.call('POST', `/v1/partner/referrals/${referral.id}/accept`, { token, body: { reason: 'meets_criteria' } });
    const slots = async () => ((await app.ds.query(`SELECT open_slots FROM directory_program WHERE id = $1`, [comarProgram])) as { open_slots: number }[])[0].open_slots;
    const before = await slots();
    const changes = app.app.get(ReferralCaseChanges);
    expect(await app.ds.transaction((tx) => changes.reconcile(tx, caseId))).toEqual([]);
    // Routing's case read model reconciles the case's referrals in the transaction that applies intake's ConsentWithdrawn.
    await withdrawReferralConsent(app, opened, COMAR);
    expect(await app.ds.transaction((tx) => changes.reconcile(tx, caseId))).toEqual([]);
    expect((await app.call('GET', `/v1/referrals/${referral.id}`)).body).toMatchObject({ status: 'cancelled', statusReason: 'consent_withdrawn' });
    expect(await slots()).toBe(before + 1);
  });

  it('makes a referral itself for an urgent protection alert, in the caller’s transaction, on behalf of the case’s site', async () => {
    const opened = await openCase(app, { partners: [COMAR], members: 3 });
    const service = app.app.get(ReferralsService);
    const made = await app.ds.transaction((tx) => service.autoRefer(tx, opened.caseId, comarProgram));
    if (!('referralId' in made)) throw new Error(`refused: ${made.refused}`);
    const seen = await app.call('GET', `/v1/referrals/${made.referralId}`);
    expect(seen.body).toMatchObject({ referringPartnerId: 'GT-MRC-01', coveredPersonIds: [...opened.personIds].sort(), status: 'sent' });
    expect(seen.body.history[0]).toMatchObject({ action: 'request', reason: 'urgent_protection_auto', actorRole: 'system', actorClient: 'system' });
    // Refusals come back as reasons and leave the caller's transaction usable.
    const again = await app.ds.transaction(async (tx) => {
      const refused = await service.autoRefer(tx, opened.caseId, comarProgram);
      const [{ n }] = (await tx.query(`SELECT count(*)::int AS n FROM referral WHERE case_id = $1`, [opened.caseId])) as { n: number }[];
      return { refused, n };
    });
    expect(again).toEqual({ refused: { refused: 'referral-already-open' }, n: 1 });
    const unconsented = await openCase(app, { partners: [] });
    expect(await app.ds.transaction((tx) => service.autoRefer(tx, unconsented.caseId, comarProgram))).toEqual({ refused: 'no-referral-consent' });
  });

  it('does not let a referral be made once the consent is withdrawn', async () => {
    const opened = await openCase(app, { partners: [COMAR] });
    const { caseId, personIds } = opened;
    await withdrawReferralConsent(app, opened, COMAR);
    const res = await app.call('POST', '/v1/referrals', { body: { caseId, programId: comarProgram, coveredPersonIds: personIds, reason: 'caseworker_referral' } });
    expect(expectProblem(res, 409).reason).toBe('no-referral-consent');
  });
});
