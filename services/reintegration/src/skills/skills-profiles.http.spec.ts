import { randomUUID } from 'node:crypto';
import { PersonErasedSchema, toTimestamp } from '@puente/contracts';
import { LogCapture } from '@puente/platform';
import { consumed, expectProblem, problemFields, publish, type ReintegrationTestApp, returnee, startReintegration } from '../testing/harness';

const SECRET_TITLE = 'Certificado de Soldadura Rigoberta Xitumul';

const profile = (extra: Record<string, unknown> = {}) => ({
  languages: [
    { code: 'es', level: 'C2' },
    { code: 'en', level: 'B2' },
  ],
  occupations: [{ iscoCode: '7112', years: 6, learnedAbroad: true }],
  certificates: [{ title: SECRET_TITLE, issuingCountry: 'US', iscoCode: '7212', issuedOn: '2021-05-14' }],
  workAbroad: [{ country: 'US', sector: 'F', years: 4, iscoCode: '7112' }],
  educationLevel: 'isced_3',
  workArea: { lat: 15.5043, lon: -88.0251 },
  ...extra,
});

describe('skills profiles (real HTTP, PostgreSQL and Kafka): encrypted per person, audited, erased with the person', () => {
  let t: ReintegrationTestApp;
  const logs = new LogCapture();

  beforeAll(async () => {
    t = await startReintegration('skills', { logs });
  }, 90_000);

  afterAll(async () => {
    await t?.close();
  });

  it('stores the profile encrypted under the person\'s data key, reads it back with an audit record', async () => {
    const { personId } = await returnee(t);
    const put = await t.call('PUT', `/v1/persons/${personId}/skills-profile`, { body: profile() });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({
      personId,
      occupations: [{ iscoCode: '7112', title: 'Bricklayers and related workers', years: 6 }],
      certificates: [{ title: SECRET_TITLE, iscoCode: '7212', validation: 'pending' }],
      workArea: { lat: 15.5, lon: -88.03 },
      version: 1,
    });
    const got = await t.call('GET', `/v1/persons/${personId}/skills-profile`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(put.body);

    // Nothing readable at rest: one ciphertext; the match features are codes only.
    const [row] = await t.ds.query(`SELECT profile_enc::text AS enc FROM skills_profile WHERE person_id = $1`, [personId]);
    expect(row.enc).toMatch(/^pv1\./);
    expect(row.enc).not.toContain('Soldadura');
    const [features] = await t.ds.query(`SELECT occupations, languages, area_lat, area_lon FROM match_profile WHERE person_id = $1`, [personId]);
    // The pending certificate's 7212 does not count yet.
    expect(features).toEqual({ occupations: ['7112'], languages: ['en:B2', 'es:C2'], area_lat: 15.5, area_lon: -88.05 });

    const audit = await t.ds.query(`SELECT action, purpose, outcome FROM audit_record WHERE object_id = $1 ORDER BY seq`, [personId]);
    expect(audit).toEqual([
      { action: 'skills-profile.write', purpose: 'case-management', outcome: 'success' },
      { action: 'skills-profile.read', purpose: 'case-management', outcome: 'success' },
    ]);
    expect(logs.text).not.toContain('Soldadura');
  });

  it('keeps a certificate by id, and a validated one counts in matching', async () => {
    const { personId } = await returnee(t);
    const first = await t.call('PUT', `/v1/persons/${personId}/skills-profile`, { body: profile() });
    const certificateId = first.body.certificates[0].certificateId;
    const validated = await t.call('POST', `/v1/persons/${personId}/skills-profile/certificates/${certificateId}/validation`, { body: { outcome: 'validated' } });
    expect(validated.status).toBe(200);
    expect(validated.body.certificates[0]).toMatchObject({ certificateId, validation: 'validated' });
    expectProblem(await t.call('POST', `/v1/persons/${personId}/skills-profile/certificates/${certificateId}/validation`, { body: { outcome: 'rejected' } }), 409, 'certificate-already-decided');
    const [features] = await t.ds.query(`SELECT occupations FROM match_profile WHERE person_id = $1`, [personId]);
    expect(features.occupations).toEqual(['7112', '7212']);

    // Replaced with the certificate kept by id: still validated; a new one is pending.
    const kept = { ...profile().certificates[0], certificateId };
    const again = await t.call('PUT', `/v1/persons/${personId}/skills-profile`, {
      body: profile({ certificates: [kept, { title: 'ServSafe Food Handler', issuingCountry: 'US', iscoCode: '5120' }] }),
    });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(3);
    expect(again.body.certificates.map((c: { validation: string }) => c.validation)).toEqual(['validated', 'pending']);
    expectProblem(
      await t.call('PUT', `/v1/persons/${personId}/skills-profile`, { body: profile({ certificates: [{ ...kept, certificateId: randomUUID() }] }) }),
      422,
      'unknown-certificate',
    );
  });

  it('refuses unknown ISCO codes, CEFR levels out of range and other bad input with field errors, writing nothing', async () => {
    const { personId } = await returnee(t);
    const bad = await t.call('PUT', `/v1/persons/${personId}/skills-profile`, {
      body: profile({
        languages: [{ code: 'en', level: 'C3' }, { code: 'klingon', level: 'A1' }],
        occupations: [{ iscoCode: '9999' }, { iscoCode: '711' }],
        workAbroad: [{ country: 'ZZ', sector: 'Z', years: 0 }],
        educationLevel: 'isced_9',
        workArea: { lat: 95, lon: 0 },
      }),
    });
    const fields = problemFields(expectProblem(bad, 400, 'validation-error'));
    for (const field of ['languages[0].level', 'languages[1].code', 'occupations[0].iscoCode', 'occupations[1].iscoCode', 'workAbroad[0].country', 'workAbroad[0].sector', 'workAbroad[0].years', 'educationLevel', 'workArea.lat']) {
      expect(fields).toContain(field);
    }
    expect(await t.ds.query(`SELECT 1 FROM skills_profile WHERE person_id = $1`, [personId])).toEqual([]);
    expect(await t.ds.query(`SELECT 1 FROM match_profile WHERE person_id = $1`, [personId])).toEqual([]);
    expectProblem(await t.call('GET', `/v1/persons/${personId}/skills-profile`), 404, 'skills-profile-not-found');
  });

  it('needs a reintegration_support consent in force', async () => {
    const { personId } = await returnee(t, { consent: false });
    const refused = await t.call('PUT', `/v1/persons/${personId}/skills-profile`, { body: profile() });
    expect(problemFields(expectProblem(refused, 403, 'consent-required'))).toEqual(['personId']);
    expectProblem(await t.call('PUT', `/v1/persons/${randomUUID()}/skills-profile`, { body: profile() }), 403, 'consent-required');
    expect(await t.ds.query(`SELECT 1 FROM skills_profile WHERE person_id = $1`, [personId])).toEqual([]);
  });

  it('erases the profile with the person: the key is shredded, the rows go, reads and matching answer 410', async () => {
    const { personId, caseId } = await returnee(t);
    expect((await t.call('PUT', `/v1/persons/${personId}/skills-profile`, { body: profile() })).status).toBe(201);
    const [{ enc }] = await t.ds.query(`SELECT profile_enc AS enc FROM skills_profile WHERE person_id = $1`, [personId]);
    const eventId = await publish(t, 'intake', caseId, PersonErasedSchema, { personId, caseId, erasedAt: toTimestamp() });
    await consumed(t, eventId);
    expect(await t.ds.query(`SELECT 1 FROM skills_profile WHERE person_id = $1`, [personId])).toEqual([]);
    expect(await t.ds.query(`SELECT active, occupations FROM match_profile WHERE person_id = $1`, [personId])).toEqual([{ active: false, occupations: [] }]);
    // A copy of the ciphertext (a backup) cannot be read any more either.
    const [{ wrapped_key }] = await t.ds.query(`SELECT wrapped_key FROM person_data_key WHERE person_id = $1`, [personId]);
    expect(wrapped_key).toBeNull();
    expect(enc).toMatch(/^pv1\./);
    expectProblem(await t.call('GET', `/v1/persons/${personId}/skills-profile`), 410, 'person-erased');
    expectProblem(await t.call('PUT', `/v1/persons/${personId}/skills-profile`, { body: profile() }), 410, 'person-erased');
    expectProblem(await t.call('GET', `/v1/persons/${personId}/job-matches`), 410, 'person-erased');
  });
});
