import { randomUUID } from 'node:crypto';
import { ConsentPurpose, ConsentRecordedSchema, type JobMatched, type JobPlacementConfirmed, PersonErasedSchema, toTimestamp } from '@puente/contracts';
import { eventually } from '@puente/testing';
import { consumed, expectProblem, problemFields, publish, type ReintegrationTestApp, reintegrationEventsOf, returnee, startReintegration } from '../testing/harness';

const EMPLOYER = 'HN-EMP-CONSTRUCTORA-01';
const SPS = { name: 'San Pedro Sula', lat: 15.5, lon: -88.03 };
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

const opening = (extra: Record<string, unknown> = {}) => ({
  title: 'Albañil con experiencia en bloque',
  iscoCode: '7112',
  location: SPS,
  requiredSkills: ['9313'],
  requiredLanguages: [{ code: 'es', level: 'B1' }],
  slots: 2,
  opensOn: day(-1),
  closesOn: day(60),
  ...extra,
});

const profile = (occupations: string[], extra: Record<string, unknown> = {}) => ({
  languages: [{ code: 'es', level: 'C2' }],
  occupations: occupations.map((iscoCode) => ({ iscoCode })),
  certificates: [],
  workAbroad: [],
  educationLevel: 'isced_2',
  workArea: { lat: 15.52, lon: -88.0 },
  ...extra,
});

describe('job openings, matching and placements (real HTTP, PostgreSQL and Kafka)', () => {
  let t: ReintegrationTestApp;
  let employer: string;
  let otherEmployer: string;

  beforeAll(async () => {
    t = await startReintegration('jobs');
    employer = await t.token({ scopes: ['openings:write'], partnerId: EMPLOYER });
    otherEmployer = await t.token({ scopes: ['openings:write'], partnerId: 'HN-EMP-OTRA-02' });
  }, 90_000);

  afterAll(async () => {
    await t?.close();
  });

  async function post(body: Record<string, unknown> = opening()): Promise<string> {
    const res = await t.call('POST', '/v1/job-openings', { token: employer, body });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function personWith(occupations: string[], extra: Record<string, unknown> = {}) {
    const r = await returnee(t);
    expect((await t.call('PUT', `/v1/persons/${r.personId}/skills-profile`, { body: profile(occupations, extra) })).status).toBe(201);
    return r;
  }

  it('posts an opening for the employer of the token; refuses zero slots, unknown ISCO codes and CEFR levels out of range, writing nothing', async () => {
    const res = await t.call('POST', '/v1/job-openings', { token: employer, body: opening() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ employerPartnerId: EMPLOYER, iscoCode: '7112', iscoTitle: 'Bricklayers and related workers', slots: 2, slotsFilled: 0, status: 'open' });
    expect(res.headers.get('location')).toBe(`/v1/job-openings/${res.body.id}`);
    expect((await t.call('GET', `/v1/job-openings/${res.body.id}`)).body).toEqual(res.body);

    const before = (await t.ds.query(`SELECT count(*)::int AS n FROM job_opening`))[0].n;
    const bad = await t.call('POST', '/v1/job-openings', {
      token: employer,
      body: opening({ slots: 0, iscoCode: '0000', requiredSkills: ['71'], requiredLanguages: [{ code: 'en', level: 'D1' }] }),
    });
    expect(problemFields(expectProblem(bad, 400, 'validation-error')).sort()).toEqual(['iscoCode', 'requiredLanguages[0].level', 'requiredSkills', 'slots'].sort());
    expect(problemFields(expectProblem(await t.call('POST', '/v1/job-openings', { token: employer, body: opening({ opensOn: day(5), closesOn: day(2) }) }), 400, 'validation-error'))).toEqual(['closesOn']);
    expect(problemFields(expectProblem(await t.call('POST', '/v1/job-openings', { token: employer, body: opening({ slots: -3 }) }), 400, 'validation-error'))).toEqual(['slots']);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM job_opening`))[0].n).toBe(before);
    // A caseworker's token cannot post openings.
    expectProblem(await t.call('POST', '/v1/job-openings', { body: opening() }), 403);
  });

  it('ranks openings for a person and persons for an opening, with explanations and ties broken by id', async () => {
    const bricklayer = await personWith(['7112', '9313']);
    const carpenter = await personWith(['7115']);
    const cook = await personWith(['5120']);
    const exact = await post(opening({ title: 'Albañil A' }));
    const twin = await post(opening({ title: 'Albañil B' })); // same features: the same score, ordered by id
    const far = await post(opening({ title: 'Albañil Tegucigalpa', location: { name: 'Tegucigalpa', lat: 14.08, lon: -87.21 } }));
    const kitchen = await post(opening({ title: 'Cocinero', iscoCode: '5120', requiredSkills: [] }));

    const matches = await t.call('GET', `/v1/persons/${bricklayer.personId}/job-matches?limit=50`);
    expect(matches.status).toBe(200);
    const mine = matches.body.matches.filter((m: { openingId: string }) => [exact, twin, far, kitchen].includes(m.openingId));
    expect(mine.map((m: { openingId: string }) => m.openingId)).toEqual([...[exact, twin].sort(), far]);
    expect(mine[0].score).toBe(mine[1].score);
    expect(mine[0].explanation).toEqual({
      occupation: { code: '7112', level: 'unit' },
      skillsMatched: ['9313'],
      skillsMissing: [],
      languagesMet: [{ code: 'es', required: 'B1', held: 'C2' }],
      languagesMissing: [],
      distanceKm: expect.any(Number),
    });
    expect(mine[2].explanation.distanceKm).toBeGreaterThan(150);
    // Deterministic: the same answer again.
    expect((await t.call('GET', `/v1/persons/${bricklayer.personId}/job-matches?limit=50`)).body).toEqual(matches.body);

    const candidates = await t.call('GET', `/v1/job-openings/${exact}/candidates?limit=50`);
    expect(candidates.status).toBe(200);
    const ranked = candidates.body.candidates.map((c: { personId: string }) => c.personId);
    expect(ranked.indexOf(bricklayer.personId)).toBeLessThan(ranked.indexOf(carpenter.personId));
    expect(ranked).not.toContain(cook.personId);
    const carpenterEntry = candidates.body.candidates.find((c: { personId: string }) => c.personId === carpenter.personId);
    expect(carpenterEntry.explanation).toMatchObject({ occupation: { code: '7115', level: 'minor' }, skillsMissing: ['9313'] });
    // No protected attribute is exposed, and none decides.
    expect(JSON.stringify(candidates.body)).not.toMatch(/"(sex|ageBand|nationality|ethnicity|flags)"/);

    expectProblem(await t.call('GET', `/v1/job-openings/${randomUUID()}/candidates`), 404, 'opening-not-found');
    expectProblem(await t.call('GET', `/v1/persons/${(await returnee(t)).personId}/job-matches`), 404, 'skills-profile-not-found');
    expect(problemFields(expectProblem(await t.call('GET', `/v1/persons/${bricklayer.personId}/job-matches?limit=0`), 400, 'validation-error'))).toEqual(['limit']);
    // Every ranking of a person is audited, the refused one too.
    const audit = await t.ds.query(`SELECT outcome FROM audit_record WHERE object_id = $1 AND action = 'skills-profile.match' ORDER BY seq`, [bricklayer.personId]);
    expect(audit.map((a: { outcome: string }) => a.outcome)).toEqual(['success', 'success', 'error']);
  });

  it('lists as candidates only persons whose consent is in force now (a consent lapses by its end date, without an event)', async () => {
    const openingId = await post(opening({ title: 'Albañil (consentimiento)' }));
    const lasting = await personWith(['7112', '9313']);
    const lapsing = await returnee(t, { consent: false });
    const eventId = await publish(t, 'intake', lapsing.caseId, ConsentRecordedSchema, {
      consentId: randomUUID(),
      caseId: lapsing.caseId,
      personId: lapsing.personId,
      purpose: ConsentPurpose.REINTEGRATION_SUPPORT,
      validFrom: toTimestamp(new Date(Date.now() - 60_000)),
      validUntil: toTimestamp(new Date(Date.now() + 4_000)),
      recordedAt: toTimestamp(),
    });
    await consumed(t, eventId);
    expect((await t.call('PUT', `/v1/persons/${lapsing.personId}/skills-profile`, { body: profile(['7112', '9313']) })).status).toBe(201);
    const candidates = async () => (await t.call('GET', `/v1/job-openings/${openingId}/candidates?limit=50`)).body.candidates.map((c: { personId: string }) => c.personId);
    expect(await candidates()).toEqual(expect.arrayContaining([lasting.personId, lapsing.personId]));
    await eventually('the lapsed consent takes the person off the candidates', async () => !(await candidates()).includes(lapsing.personId), 20_000, 250);
    expect(await candidates()).toContain(lasting.personId);
    expectProblem(await t.call('GET', `/v1/persons/${lapsing.personId}/job-matches`), 403, 'consent-required');
  });

  it('proposes, accepts and confirms a placement: JobMatched and JobPlacementConfirmed on the case; twice is 409', async () => {
    const { personId, caseId } = await personWith(['7112', '9313']);
    const openingId = await post();
    const proposed = await t.call('POST', '/v1/placements', { body: { openingId, personId, caseId } });
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({ openingId, personId, caseId, status: 'proposed' });
    expect(proposed.body.score).toBeGreaterThan(0.9);
    expectProblem(await t.call('POST', '/v1/placements', { body: { openingId, personId, caseId } }), 409, 'placement-exists');
    const id = proposed.body.id;
    expectProblem(await t.call('POST', `/v1/placements/${id}/confirm`, { token: employer }), 409, 'invalid-transition');
    expect((await t.call('POST', `/v1/placements/${id}/accept`)).body.status).toBe('accepted');
    expectProblem(await t.call('POST', `/v1/placements/${id}/accept`), 409, 'invalid-transition');
    expectProblem(await t.call('POST', `/v1/placements/${id}/confirm`, { token: otherEmployer }), 403, 'not-your-opening');
    const confirmed = await t.call('POST', `/v1/placements/${id}/confirm`, { token: employer });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('confirmed');
    const twice = expectProblem(await t.call('POST', `/v1/placements/${id}/confirm`, { token: employer }), 409, 'placement-already-confirmed');
    expect(twice.confirmedAt).toBe(confirmed.body.confirmedAt);
    expect((await t.call('GET', `/v1/job-openings/${openingId}`)).body.slotsFilled).toBe(1);
    expect((await t.call('GET', `/v1/placements/${id}`)).body).toEqual(confirmed.body);
    // Every step and read of the placement is audited, refused ones too.
    const audit: { action: string; outcome: string }[] = await t.ds.query(`SELECT action, outcome FROM audit_record WHERE object_id = $1 ORDER BY seq`, [id]);
    expect(audit.filter((a) => a.outcome === 'success').map((a) => a.action)).toEqual(['placement.propose', 'placement.accept', 'placement.confirm', 'placement.read']);
    expect(audit.filter((a) => a.outcome !== 'success')).toHaveLength(4);

    const events = await reintegrationEventsOf(t, caseId, (es) => es.some((e) => e.type === 'puente.reintegration.v1.JobPlacementConfirmed'));
    const matched = events.find((e) => e.type === 'puente.reintegration.v1.JobMatched')?.message as JobMatched;
    expect(matched).toMatchObject({ matchId: id, caseId, personId, openingId, employerPartnerId: EMPLOYER, iscoCode: '7112', score: proposed.body.score });
    const placed = events.find((e) => e.type === 'puente.reintegration.v1.JobPlacementConfirmed')?.message as JobPlacementConfirmed;
    expect(placed).toMatchObject({ matchId: id, caseId, personId, openingId, employerPartnerId: EMPLOYER });
    expect(events.filter((e) => e.type === 'puente.reintegration.v1.JobPlacementConfirmed')).toHaveLength(1);
  });

  it('never oversells: 8 accepted placements confirmed at once for 3 slots, 3 succeed, 5 get 409 opening-full', async () => {
    const openingId = await post(opening({ slots: 3 }));
    const placements: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { personId, caseId } = await personWith(['7112']);
      const p = await t.call('POST', '/v1/placements', { body: { openingId, personId, caseId } });
      await t.call('POST', `/v1/placements/${p.body.id}/accept`);
      placements.push(p.body.id);
    }
    const results = await Promise.all(placements.map((id) => t.call('POST', `/v1/placements/${id}/confirm`, { token: employer })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    for (const r of results.filter((x) => x.status !== 200)) expectProblem(r, 409, 'opening-full');
    const [row] = await t.ds.query(`SELECT slots_filled, status FROM job_opening WHERE opening_id = $1`, [openingId]);
    expect(row).toEqual({ slots_filled: 3, status: 'filled' });
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM job_placement WHERE opening_id = $1 AND status = 'confirmed'`, [openingId]))[0].n).toBe(3);
    // A filled opening is no longer proposed.
    const { personId, caseId } = await personWith(['7112']);
    expect((await t.call('GET', `/v1/persons/${personId}/job-matches?limit=50`)).body.matches.map((m: { openingId: string }) => m.openingId)).not.toContain(openingId);
    expectProblem(await t.call('POST', '/v1/placements', { body: { openingId, personId, caseId } }), 409, 'opening-not-open');
  });

  it('refuses placements without consent or profile, and for an erased person (410), writing nothing', async () => {
    const openingId = await post();
    const noConsent = await returnee(t, { consent: false });
    expectProblem(await t.call('POST', '/v1/placements', { body: { openingId, personId: noConsent.personId, caseId: noConsent.caseId } }), 403, 'consent-required');
    const noProfile = await returnee(t);
    expectProblem(await t.call('POST', '/v1/placements', { body: { openingId, personId: noProfile.personId, caseId: noProfile.caseId } }), 422, 'skills-profile-required');
    expectProblem(await t.call('POST', '/v1/placements', { body: { openingId: randomUUID(), personId: noProfile.personId, caseId: noProfile.caseId } }), 404, 'opening-not-found');

    const erased = await personWith(['7112']);
    const live = await t.call('POST', '/v1/placements', { body: { openingId, personId: erased.personId, caseId: erased.caseId } });
    const eventId = await publish(t, 'intake', erased.caseId, PersonErasedSchema, { personId: erased.personId, caseId: erased.caseId, erasedAt: toTimestamp() });
    await consumed(t, eventId);
    expect((await t.call('GET', `/v1/placements/${live.body.id}`)).body).toMatchObject({ status: 'withdrawn', withdrawnReason: 'person_erased' });
    expectProblem(await t.call('GET', `/v1/persons/${erased.personId}/job-matches`), 410, 'person-erased');
    expectProblem(await t.call('POST', '/v1/placements', { body: { openingId, personId: erased.personId, caseId: erased.caseId } }), 410, 'person-erased');
    const candidates = await t.call('GET', `/v1/job-openings/${openingId}/candidates?limit=50`);
    expect(candidates.body.candidates.map((c: { personId: string }) => c.personId)).not.toContain(erased.personId);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM job_placement WHERE person_id = ANY($1)`, [[noConsent.personId, noProfile.personId]]))[0].n).toBe(0);
  });
});
