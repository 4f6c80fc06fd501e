import { eventually } from '@puente/testing';
import { expectProblem, type ReceptionTestApp, startReception } from '../testing/harness';
import { type IntakeProcess, startIntakeProcess } from '../testing/intake-process';
import { badRows, type ManifestRow, returnee, tomorrow } from '../testing/manifest-fixtures';

const PARTNER = { scopes: ['manifests:write'], partnerId: 'US-ICE-ERO', clientId: 'ice-manifest-gateway', jurisdictions: ['GT'] };
const SEED = process.pid % 50;

describe('manifests: a returning country posts, intake registers or matches, reception keeps ids only (real HTTP, Kafka, PostgreSQL; intake in its own process)', () => {
  let intake: IntakeProcess;
  let t: ReceptionTestApp;
  let partner: string;
  const movement = (reference: string, extra: Record<string, unknown> = {}) => ({ reference, kind: 'flight', centerCode: 'GT-CRM-01', expectedOn: tomorrow(), carrierReference: 'GUA-4512', returningCountry: 'US', ...extra });
  const post = (reference: string, persons: unknown[], extra: Record<string, unknown> = {}) => t.call('POST', '/v1/manifests', { token: partner, body: { movement: movement(reference, extra), persons }, idempotencyKey: null });
  const settled = async (id: string) => {
    let manifest: any;
    await eventually(`manifest ${id} matched`, async () => {
      manifest = (await t.call('GET', `/v1/manifests/${id}`, { token: partner })).body;
      return manifest.status === 'matched';
    }, 90_000);
    return manifest;
  };
  const known: ManifestRow[] = [];

  beforeAll(async () => {
    intake = await startIntakeProcess('manifests');
    t = await startReception('manifests', { env: { INTAKE_URL: intake.base, INTAKE_TOKEN_FILE: intake.tokenFile, MANIFEST_RETRY_INTERVAL_MS: '300' } });
    partner = await t.token(PARTNER);
    expect((await intake.call('POST', '/v1/sites', { code: 'GT-CRM-01', name: 'Centro de Recepción de Retornados La Aurora', kind: 'reception' })).status).toBe(201);
    // Forty returnees intake already knows (registered at an earlier return).
    for (let i = 0; i < 40; i++) {
      const p = returnee(SEED, i);
      known.push(p);
      const res = await intake.call('POST', '/v1/persons', { siteCode: 'GT-CRM-01', givenNames: p.givenNames, familyNames: p.familyNames, birthDate: p.birthDate, nationality: p.nationality, sex: p.sex, case: {} });
      expect(res.status).toBe(201);
    }
  }, 300_000);

  afterAll(async () => {
    await t?.close();
    await intake?.stop();
  });

  let first: any;

  it('takes a 500-person manifest with 20 bad rows: 480 accepted, 20 reported by row and field, 40 matched to existing cases', async () => {
    const good = Array.from({ length: 480 }, (_, i) => returnee(SEED, i, i === 7 ? { medicalNotes: 'Insulin-dependent diabetes; needs insulin today', protectionNotes: 'Threatened by a gang in Zone 18 before leaving' } : {}));
    const bad = badRows(SEED);
    const persons: unknown[] = [];
    good.forEach((g, i) => {
      persons.push(g);
      if (i % 24 === 23) persons.push(bad[(i + 1) / 24 - 1]);
    });
    expect(persons).toHaveLength(500);
    const res = await post(`ICE-IAFR-${SEED}-A`, persons);
    expect(res.status).toBe(201);
    expect(res.body.rowCount).toBe(500);
    const rejectedRows = new Set<number>(res.body.rejected.map((r: { row: number }) => r.row));
    expect(rejectedRows.size).toBe(20);
    expect([...rejectedRows].sort((a, b) => a - b)).toEqual(bad.map((b) => persons.indexOf(b) + 1));
    expect(res.body.rejected).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'birthDate', code: 'isBirthDate' }), expect.objectContaining({ field: 'passportNumber', code: 'unknownField' })]));
    expect(JSON.stringify(res.body.rejected)).not.toMatch(/G12345678|Guatemala/);

    first = await settled(res.body.id);
    expect(first).toMatchObject({ status: 'matched', accepted: 480, counts: { pending: 0, expected: 480, matched: 40, registered: 440, rejectedByIntake: 0 } });
  }, 240_000);

  it('re-posting the same movement is the same manifest; a corrected row goes back to intake as the same person and a row no longer listed is withdrawn', async () => {
    const persons = Array.from({ length: 480 }, (_, i) => returnee(SEED, i, i === 7 ? { medicalNotes: 'Insulin-dependent diabetes; needs insulin today', protectionNotes: 'Threatened by a gang in Zone 18 before leaving' } : {}));
    const again = await post(`ICE-IAFR-${SEED}-A`, persons);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.id);
    expect(again.body).toMatchObject({ status: 'matched', counts: { expected: 480, matched: 40, registered: 440 } });
    const before = await t.ds.query(`SELECT id, person_id, case_id FROM arrival WHERE movement_id = $1 ORDER BY id`, [first.id]);

    const corrected = persons.slice(0, 479).map((p, i) => (i === 100 ? { ...p, givenNames: 'Josefina Lucía' } : p));
    const fixed = await post(`ICE-IAFR-${SEED}-A`, corrected);
    expect(fixed.status).toBe(200);
    const after = await settled(first.id);
    expect(after.counts).toMatchObject({ expected: 479, withdrawn: 1, pending: 0 });
    const rows = await t.ds.query(`SELECT id, person_id, case_id, status, match, updated_at FROM arrival WHERE movement_id = $1 ORDER BY id`, [first.id]);
    expect(rows.map((r: { id: string }) => r.id)).toEqual(before.map((r: { id: string }) => r.id));
    // Every row keeps its person: the corrected one too (intake corrected the person it had registered, no second person).
    const changed = rows.filter((r: { person_id: string; case_id: string }, i: number) => r.person_id !== before[i].person_id || r.case_id !== before[i].case_id);
    expect(changed).toEqual([]);
    const correctedRow = await t.ds.query(`SELECT a.match FROM arrival a WHERE a.movement_id = $1 AND a.row_number = 101`, [first.id]);
    expect(correctedRow).toEqual([{ match: 'registered' }]);
    expect(after.counts).toMatchObject({ matched: 40, registered: 439 });
  }, 240_000);

  it('refuses a whole manifest with no persons, a past day, an unknown center or more than 5,000 persons, storing nothing', async () => {
    const movements = (await t.ds.query(`SELECT count(*)::int AS n FROM movement`))[0].n;
    expect(problemFieldsOf(expectProblem(await post('EMPTY-1', []), 422, 'invalid-manifest'))).toEqual(['persons']);
    expect(problemFieldsOf(expectProblem(await post('PAST-1', [returnee(SEED, 1)], { expectedOn: '2020-01-01' }), 422))).toEqual(['movement.expectedOn']);
    expect(problemFieldsOf(expectProblem(await post('NOWHERE-1', [returnee(SEED, 1)], { centerCode: 'GT-CRM-99' }), 422))).toEqual(['movement.centerCode']);
    const huge = Array.from({ length: 5_001 }, (_, i) => ({ returningReference: `R${i}`, givenNames: 'Ana', birthDate: '1990-01-01', nationality: 'GT', sex: 'female' }));
    expectProblem(await post('HUGE-1', huge), 413, 'manifest-too-large');
    expect((await t.call('POST', '/v1/manifests', { body: { movement: movement('X-1'), persons: [returnee(SEED, 1)] } })).status).toBe(403);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM movement`))[0].n).toBe(movements);
  });

  it('loses no row while intake is down: the manifest is taken (matching), rows wait encrypted and are matched when intake is back', async () => {
    await intake.stop();
    const persons = Array.from({ length: 30 }, (_, i) => returnee(SEED, 600 + i));
    const res = await post(`ICE-IAFR-${SEED}-B`, persons);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'matching', counts: { pending: 30 } });
    await eventually('an attempt recorded', async () => {
      const [r] = await t.ds.query(`SELECT min(attempts)::int AS attempts FROM arrival WHERE movement_id = $1`, [res.body.id]);
      return r.attempts >= 1;
    });
    const waiting = await t.ds.query(`SELECT identity_enc FROM pending_personal_data p JOIN arrival a ON a.id = p.arrival_id WHERE a.movement_id = $1`, [res.body.id]);
    expect(waiting).toHaveLength(30);
    expect(waiting.every((w: { identity_enc: string }) => w.identity_enc.startsWith('pv1.') && !w.identity_enc.includes(persons[0].givenNames))).toBe(true);
    await intake.start();
    // Time passes: the rows' backoff is over (instead of waiting it out).
    await t.ds.query(`UPDATE arrival SET next_attempt_at = now() WHERE movement_id = $1`, [res.body.id]);
    const done = await settled(res.body.id);
    expect(done.counts).toMatchObject({ expected: 30, registered: 30, pending: 0 });
  }, 240_000);

  it('keeps no manifest personal data in reception’s database once matched (every text, bytea and jsonb column)', async () => {
    const needles = [...known.slice(0, 40), returnee(SEED, 100), returnee(SEED, 7), returnee(SEED, 610)].flatMap((p) => [p.givenNames, p.familyNames, p.birthDate, p.returningReference]);
    needles.push('Josefina Lucía', 'Insulin-dependent', 'Zone 18');
    const columns: { table_name: string; column_name: string; data_type: string }[] = await t.ds.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'public' AND data_type IN ('text', 'bytea', 'jsonb', 'character varying', 'ARRAY', 'json')`,
    );
    expect(columns.length).toBeGreaterThan(10);
    const hits: string[] = [];
    for (const c of columns) {
      const rows: { v: string }[] = await t.ds.query(`SELECT "${c.column_name}"::text AS v FROM "${c.table_name}" WHERE "${c.column_name}" IS NOT NULL`);
      for (const { v } of rows) {
        const decoded = c.data_type === 'bytea' ? Buffer.from(v.replace(/^\\x/, ''), 'hex').toString('utf8') : v;
        for (const n of needles) if (decoded.includes(n)) hits.push(`${c.table_name}.${c.column_name}`);
      }
    }
    expect([...new Set(hits)]).toEqual([]);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM pending_personal_data`))[0].n).toBe(0);
  }, 120_000);
});

function problemFieldsOf(problem: { errors?: { field: string }[] }): string[] {
  return (problem.errors ?? []).map((e) => e.field);
}
