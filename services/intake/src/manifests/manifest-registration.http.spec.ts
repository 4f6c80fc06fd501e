import { expectProblem, type IntakeTestApp, startIntake } from '../spec/testing/harness';

const RECEPTION = { scopes: ['manifests:register'], partnerId: 'GT-RECEPTION', clientId: 'reception' };

describe('manifest registrations: register or match in bulk (real HTTP, PostgreSQL, Kafka)', () => {
  let t: IntakeTestApp;
  let reception: string;

  beforeAll(async () => {
    t = await startIntake('manifestreg'); // reception's manifests spec runs an intake of its own as suite 'manifests'
    reception = await t.token(RECEPTION);
    const site = await t.call('POST', '/v1/sites', { body: { code: 'GT-CRM-01', name: 'Centro de Recepción de Retornados La Aurora', kind: 'reception' } });
    expect(site.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const row = (rowKey: string, extra: Record<string, unknown> = {}) => ({ rowKey, givenNames: 'José Armando', familyNames: 'Castillo Reyes', birthDate: '1996-02-14', nationality: 'GT', sex: 'male', ...extra });

  it('matches a person already registered, registers the others on new cases and rejects bad rows by field', async () => {
    const known = await t.call('POST', '/v1/persons', {
      body: { siteCode: 'GT-CRM-01', givenNames: 'Ana Lucía', familyNames: 'Tzoc Xicay', birthDate: '1990-05-03', nationality: 'GT', sex: 'female', case: {} },
    });
    expect(known.status).toBe(201);
    const res = await t.call('POST', '/v1/manifest-registrations', {
      token: reception,
      body: {
        siteCode: 'GT-CRM-01',
        rows: [
          row('r1', { givenNames: 'ana lucia', familyNames: 'TZOC XICAY', birthDate: '1990-05-03' }),
          row('r2'),
          row('r3', { birthDate: '2990-01-01' }),
          { rowKey: 'r4', givenNames: 'Pedro', sex: 'robot', nationality: 'GT', birthDate: '1980-01-01', passport: 'X' },
        ],
      },
    });
    expect(res.status).toBe(200);
    const [matched, registered, future, malformed] = res.body.rows;
    expect(matched).toMatchObject({ rowKey: 'r1', outcome: 'matched', personId: known.body.personId, caseId: known.body.caseId, caseOpened: false });
    expect(registered).toMatchObject({ rowKey: 'r2', outcome: 'registered', caseOpened: true });
    expect(future).toMatchObject({ rowKey: 'r3', outcome: 'rejected', errors: [{ field: 'birthDate', code: 'isBirthDate' }] });
    expect(malformed.outcome).toBe('rejected');
    expect(malformed.errors.map((e: { field: string }) => e.field).sort()).toEqual(['passport', 'sex']);
    expect(JSON.stringify(res.body)).not.toMatch(/Ana|Castillo|1990-05-03/);

    const again = await t.call('POST', '/v1/manifest-registrations', { token: reception, body: { siteCode: 'GT-CRM-01', rows: [row('r2')] } });
    expect(again.body.rows[0]).toMatchObject({ outcome: 'matched', personId: registered.personId, caseId: registered.caseId, caseOpened: false });
    const audited = await t.ds.query(`SELECT count(*)::int AS n FROM audit_record WHERE action = 'person.match' AND object_id = $1`, [registered.personId]);
    expect(audited[0].n).toBe(1);
  });

  it('opens a case for a matched person whose cases are all closed', async () => {
    const first = await t.call('POST', '/v1/manifest-registrations', { token: reception, body: { siteCode: 'GT-CRM-01', rows: [row('c1', { givenNames: 'Marvin', birthDate: '1988-11-30' })] } });
    const { personId, caseId } = first.body.rows[0];
    const current = await t.call('GET', `/v1/cases/${caseId}`);
    const closed = await t.call('POST', `/v1/cases/${caseId}/close`, { body: { reason: 'services_completed' }, headers: { 'if-match': current.headers.get('etag') as string } });
    expect([200, 201]).toContain(closed.status);
    const back = await t.call('POST', '/v1/manifest-registrations', { token: reception, body: { siteCode: 'GT-CRM-01', rows: [row('c1', { givenNames: 'Marvin', birthDate: '1988-11-30' })] } });
    expect(back.body.rows[0]).toMatchObject({ outcome: 'matched', personId, caseOpened: true });
    expect(back.body.rows[0].caseId).not.toBe(caseId);
  });

  it('answers whole-call problems: no scope, another jurisdiction, an unknown site, no rows', async () => {
    expect((await t.call('POST', '/v1/manifest-registrations', { body: { siteCode: 'GT-CRM-01', rows: [row('x')] } })).status).toBe(403);
    expect((await t.call('POST', '/v1/manifest-registrations', { token: reception, body: { siteCode: 'HN-CAMR-SAP', rows: [row('x')] } })).status).toBe(403);
    expectProblem(await t.call('POST', '/v1/manifest-registrations', { token: reception, body: { siteCode: 'GT-NOWHERE', rows: [row('x')] } }), 422);
    expectProblem(await t.call('POST', '/v1/manifest-registrations', { token: reception, body: { siteCode: 'GT-CRM-01', rows: [] } }), 400);
  });
});
