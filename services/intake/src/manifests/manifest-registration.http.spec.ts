import { encodeEvent, MatchKeysPublishedSchema, toTimestamp } from '@puente/contracts';
import type { OpenedEnvelope } from '@puente/federation';
import { eventually } from '@puente/testing';
import { DuplicateDetector } from '../duplicates/duplicate-detector';
import { MatchKeyArrivals } from '../federation/exchange-effects';
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

  it('registers one person for one identity: twice in a call, and in two calls at the same time', async () => {
    const twice = await t.call('POST', '/v1/manifest-registrations', {
      token: reception,
      body: { siteCode: 'GT-CRM-01', rows: [row('t1', { givenNames: 'Juan Carlos', birthDate: '1985-03-17' }), row('t2', { givenNames: 'JUAN CARLOS', birthDate: '1985-03-17' })] },
    });
    const [first, second] = twice.body.rows;
    expect(first).toMatchObject({ outcome: 'registered', caseOpened: true });
    expect(second).toMatchObject({ outcome: 'matched', personId: first.personId, caseId: first.caseId, caseOpened: false });

    const body = { siteCode: 'GT-CRM-01', rows: [row('c1', { givenNames: 'Tomás', birthDate: '1970-08-08' })] };
    const [a, b] = await Promise.all([0, 1].map(() => t.call('POST', '/v1/manifest-registrations', { token: reception, body })));
    expect([a.body.rows[0].outcome, b.body.rows[0].outcome].sort()).toEqual(['matched', 'registered']);
    expect(a.body.rows[0].personId).toBe(b.body.rows[0].personId);
  });

  it('keeps a corrected row on the person answered before: a person it registered is corrected, never registered a second time', async () => {
    const countPersons = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM person`))[0].n as number;
    const first = await t.call('POST', '/v1/manifest-registrations', { token: reception, body: { siteCode: 'GT-CRM-01', rows: [row('k1', { givenNames: 'Wilmer', birthDate: '1991-07-19' })] } });
    const { personId, caseId } = first.body.rows[0];
    expect(first.body.rows[0].outcome).toBe('registered');
    const before = await countPersons();

    // The returning country corrects the name (and sex) of a row intake registered: the same person, corrected.
    const corrected = await t.call('POST', '/v1/manifest-registrations', {
      token: reception,
      body: { siteCode: 'GT-CRM-01', rows: [row('k1', { givenNames: 'Wilmer Antonio', birthDate: '1991-07-19', sex: 'other', personId })] },
    });
    expect(corrected.status).toBe(200);
    expect(corrected.body.rows[0]).toMatchObject({ outcome: 'matched', personId, caseId, caseOpened: false, identityCorrected: true });
    expect(await countPersons()).toBe(before);
    const person = await t.call('GET', `/v1/persons/${personId}`, { headers: { 'x-purpose': 'case-management' } });
    expect(person.body).toMatchObject({ givenNames: 'Wilmer Antonio', sex: 'other', version: 2 });
    // The corrected identity now matches as that person, without a hint.
    const again = await t.call('POST', '/v1/manifest-registrations', { token: reception, body: { siteCode: 'GT-CRM-01', rows: [row('k9', { givenNames: 'Wilmer Antonio', birthDate: '1991-07-19', sex: 'other' })] } });
    expect(again.body.rows[0]).toMatchObject({ outcome: 'matched', personId, identityCorrected: false });
    const updates = await t.ds.query(`SELECT count(*)::int AS n FROM audit_record WHERE action = 'person.update' AND object_id = $1`, [personId]);
    expect(updates[0].n).toBe(1);
    const events = await t.ds.query(`SELECT count(*)::int AS n FROM outbox_message WHERE event_type = 'puente.intake.v1.PersonUpdated' AND message_key = $1`, [caseId]);
    expect(events[0].n).toBe(1);

    // A caseworker's person matched before is not rewritten by a manifest: the row stays linked to them.
    const known = await t.call('POST', '/v1/persons', {
      body: { siteCode: 'GT-CRM-01', givenNames: 'Rosa Elena', familyNames: 'Chávez Reyes', birthDate: '1979-12-02', nationality: 'GT', sex: 'female', case: {} },
    });
    const linked = await t.call('POST', '/v1/manifest-registrations', {
      token: reception,
      body: { siteCode: 'GT-CRM-01', rows: [row('k2', { givenNames: 'Rosa Elna', familyNames: 'Chávez Reyes', birthDate: '1979-12-02', sex: 'female', personId: known.body.personId })] },
    });
    expect(linked.body.rows[0]).toMatchObject({ outcome: 'matched', personId: known.body.personId, caseId: known.body.caseId, identityCorrected: false });
    const unchanged = await t.call('GET', `/v1/persons/${known.body.personId}`, { headers: { 'x-purpose': 'case-management' } });
    expect(unchanged.body).toMatchObject({ givenNames: 'Rosa Elena', version: 1 });
    expect(await countPersons()).toBe(before + 1);
  });

  it("matches rows against other nodes' shared keys: the node and its reference in the row result, none from the nationality's node for a person protected from it", async () => {
    const detector = t.app.get(DuplicateDetector, { strict: false });
    const arrivals = t.app.get(MatchKeyArrivals, { strict: false });
    // A peer's keys arrive the way the exchange receiver applies a verified envelope.
    const receive = async (node: string, reference: string, identity: { givenName: string; familyName: string; birthDate: string; nationality: string }) => {
      const keys = detector.keysOf(identity).map((k) => ({ rule: k.rule, kid: k.kid, value: k.value }));
      const payload = encodeEvent(MatchKeysPublishedSchema, { personId: reference, node, keys, publishedAt: toTimestamp(new Date()) });
      await t.ds.transaction((tx) => arrivals.apply({ kind: 'match-keys', iss: node, payload } as unknown as OpenedEnvelope, tx));
      await eventually(`keys of ${node}/${reference} stored`, async () => (await t.ds.query(`SELECT 1 FROM partner_match_key WHERE node = $1 AND reference = $2`, [node, reference])).length > 0, 60_000);
    };
    const mxReference = `mx-${Date.now()}`;
    await receive('MX', mxReference, { givenName: 'Kevin Alexander', familyName: 'Mejía Rivera', birthDate: '2001-04-09', nationality: 'HN' });
    const res = await t.call('POST', '/v1/manifest-registrations', {
      token: reception,
      body: { siteCode: 'GT-CRM-01', rows: [row('x1', { givenNames: 'Kevin Alexander', familyNames: 'Mejia Rivera', birthDate: '2001-04-09', nationality: 'HN' }), row('x2', { givenNames: 'Dayana', birthDate: '1999-09-09' })] },
    });
    expect(res.status).toBe(200);
    const [found, alone] = res.body.rows;
    expect(found).toMatchObject({ outcome: 'registered', otherNodeMatches: [{ node: 'MX', reference: mxReference }] });
    expect(found.otherNodeMatches[0].score).toBeGreaterThanOrEqual(0.9);
    expect(found.otherNodeMatches[0].rules).toContain('FULLNAME_DOB');
    expect(alone.otherNodeMatches).toEqual([]);
    // Recorded as a possible duplicate across the border, as any registration does.
    const duplicates = await t.ds.query(`SELECT other_node, other_reference FROM possible_duplicate WHERE person_id = $1`, [found.personId]);
    expect(duplicates).toEqual([{ other_node: 'MX', other_reference: mxReference }]);

    // A Honduran who fears return: the Honduran node's record is not reported; another node's is.
    const protectedPerson = await t.call('POST', '/v1/persons', {
      body: { siteCode: 'GT-CRM-01', givenNames: 'Sonia Marisol', familyNames: 'Morales Xitumul', birthDate: '1994-01-23', nationality: 'HN', sex: 'female', vulnerabilityFlags: ['fear_of_return'], case: {} },
    });
    expect(protectedPerson.status).toBe(201);
    const identity = { givenName: 'Sonia Marisol', familyName: 'Morales Xitumul', birthDate: '1994-01-23', nationality: 'HN' };
    await receive('HN', `hn-${Date.now()}`, identity);
    const svReference = `sv-${Date.now()}`;
    await receive('SV', svReference, identity);
    const back = await t.call('POST', '/v1/manifest-registrations', {
      token: reception,
      body: { siteCode: 'GT-CRM-01', rows: [row('x3', { givenNames: 'Sonia Marisol', familyNames: 'Morales Xitumul', birthDate: '1994-01-23', nationality: 'HN', sex: 'female' })] },
    });
    expect(back.body.rows[0]).toMatchObject({ outcome: 'matched', personId: protectedPerson.body.personId });
    expect(back.body.rows[0].otherNodeMatches.map((m: { node: string; reference: string }) => `${m.node}:${m.reference}`)).toEqual([`SV:${svReference}`]);
    expect(JSON.stringify(back.body)).not.toMatch(/Sonia|Morales|1994-01-23/);
  }, 120_000);

  it('answers whole-call problems: no scope, another jurisdiction, an unknown site, no rows', async () => {
    expect((await t.call('POST', '/v1/manifest-registrations', { body: { siteCode: 'GT-CRM-01', rows: [row('x')] } })).status).toBe(403);
    expect((await t.call('POST', '/v1/manifest-registrations', { token: reception, body: { siteCode: 'HN-CAMR-SAP', rows: [row('x')] } })).status).toBe(403);
    expectProblem(await t.call('POST', '/v1/manifest-registrations', { token: reception, body: { siteCode: 'GT-NOWHERE', rows: [row('x')] } }), 422);
    expectProblem(await t.call('POST', '/v1/manifest-registrations', { token: reception, body: { siteCode: 'GT-CRM-01', rows: [] } }), 400);
  });
});
