// Sites, partner directory, cases, households and consents over real HTTP (PostgreSQL + Kafka).
import { randomUUID } from 'node:crypto';
import { PartnerType } from '@puente/contracts';
import { eventually } from '@puente/testing';
import { announcePartners } from '../partners/testing/directory-events';
import { expectProblem, type IntakeTestApp, people, problemFields, startIntake, testBroker, uniqueSiteCode } from './testing/harness';

describe('sites, cases, households and consents (HTTP)', () => {
  let intake: IntakeTestApp;
  let site: string;

  beforeAll(async () => {
    intake = await startIntake('cases');
    site = uniqueSiteCode();
    const created = await intake.call('POST', '/v1/sites', {
      body: { code: site, name: 'Centro de Recursos para Migrantes Tecún Umán', kind: 'fixed', locality: 'Tecún Umán, San Marcos', operatingPartnerId: 'IOM-GT' },
    });
    expect(created.status).toBe(201);
    // The partners consents name come from referral-routing's directory (PartnerChanged events).
    await announcePartners(testBroker(), [
      { partnerId: 'MX-COMAR', version: 1, label: 'Comisión Mexicana de Ayuda a Refugiados (Tapachula)', country: 'MX', partnerType: PartnerType.GOVERNMENT_ASYLUM_AGENCY },
      { partnerId: 'UNHCR-GT', version: 1, label: 'ACNUR Guatemala', country: 'GT', partnerType: PartnerType.INTERNATIONAL_ORGANIZATION },
    ]);
    for (const id of ['MX-COMAR', 'UNHCR-GT']) await eventually(`partner ${id} to be followed`, async () => (await intake.call('GET', `/v1/partner-directory/${id}`)).status === 200, 30_000, 200);
  });

  afterAll(async () => {
    await intake?.close();
  });

  const outboxTypes = async (caseId: string): Promise<string[]> =>
    (await intake.ds.query(`SELECT event_type FROM outbox_message WHERE message_key = $1 ORDER BY id`, [caseId])).map((r: { event_type: string }) => r.event_type);

  async function registerFamily() {
    const mother = await intake.call('POST', '/v1/persons', { body: people.mariaJose(site) });
    expect(mother.status).toBe(201);
    const caseId = mother.body.caseId as string;
    const son = await intake.call('POST', '/v1/persons', { body: people.child(site, caseId, 'Kevin Alexander', '2016-05-03') });
    const daughter = await intake.call('POST', '/v1/persons', { body: people.child(site, caseId, 'Dayana Michelle', '2012-11-19', { sex: 'female' }) });
    expect([son.status, daughter.status]).toEqual([201, 201]);
    return { caseId, motherId: mother.body.personId as string, sonId: son.body.personId as string, daughterId: daughter.body.personId as string, reference: mother.body.caseReference as string };
  }

  describe('sites', () => {
    it('registers, reads, lists and corrects a site with If-Match', async () => {
      const code = uniqueSiteCode('GT-MOB');
      const created = await intake.call('POST', '/v1/sites', { body: { code, name: 'Unidad móvil Ayutla', kind: 'mobile', locality: 'Ayutla, San Marcos' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ code, country: 'GT', kind: 'mobile', active: true, version: 1 });
      const etag = created.headers.get('etag') as string;
      expect(etag).toMatch(/^"/);

      const read = await intake.call('GET', `/v1/sites/${code}`);
      expect(read.body.name).toBe('Unidad móvil Ayutla');
      expect(read.headers.get('etag')).toBe(etag);

      expectProblem(await intake.call('PATCH', `/v1/sites/${code}`, { body: { active: false } }), 428, 'precondition-required');
      const updated = await intake.call('PATCH', `/v1/sites/${code}`, { body: { active: false }, headers: { 'if-match': etag } });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ active: false, version: 2 });
      expectProblem(await intake.call('PATCH', `/v1/sites/${code}`, { body: { name: 'x' }, headers: { 'if-match': etag } }), 412, 'precondition-failed');

      const inactive = await intake.call('GET', '/v1/sites?active=false&limit=200');
      expect(inactive.body.items.map((s: { code: string }) => s.code)).toContain(code);
      // an inactive site accepts no registrations (422 naming the field), and nothing is written
      const counts = async () =>
        (await intake.ds.query(
          `SELECT (SELECT count(*) FROM person)::int AS persons, (SELECT count(*) FROM person_data_key)::int AS keys, (SELECT count(*) FROM person_match_key)::int AS match_keys,
             (SELECT count(*) FROM intake_case)::int AS cases, (SELECT count(*) FROM outbox_message)::int AS events, (SELECT count(*) FROM audit_record)::int AS audit`,
        ))[0];
      const before = await counts();
      const refused = await intake.call('POST', '/v1/persons', { body: people.mariaJose(code) });
      expect(problemFields(refused)).toEqual(['siteCode']);
      expect(refused.status).toBe(422);
      expect(await counts()).toEqual(before);
    });

    it('refuses a duplicate code (409), a bad code (400), a site outside the jurisdiction (403), and without sites:admin (403)', async () => {
      const dup = await intake.call('POST', '/v1/sites', { body: { code: site, name: 'Otra', kind: 'fixed' } });
      expect(problemFields(expectProblem(dup, 409, 'already-exists'))).toEqual(['code']);
      const bad = await intake.call('POST', '/v1/sites', { body: { code: 'gt-mrc-01', name: 'x', kind: 'shop' } });
      expect(problemFields(expectProblem(bad, 400, 'validation-error')).sort()).toEqual(['code', 'kind']);
      const unknownCountry = await intake.call('POST', '/v1/sites', { body: { code: 'QQ-MRC-01', name: 'Nowhere', kind: 'fixed' } });
      expect(problemFields(expectProblem(unknownCountry, 400))).toEqual(['code']);
      expectProblem(await intake.call('POST', '/v1/sites', { body: { code: 'MX-MRC-09', name: 'Tapachula', kind: 'fixed' } }), 403, 'out-of-jurisdiction');
      const noScope = await intake.token({ scopes: ['cases:read'] });
      const requestId = `noscope-${randomUUID()}`;
      expectProblem(
        await intake.call('POST', '/v1/sites', { token: noScope, headers: { 'x-request-id': requestId }, body: { code: uniqueSiteCode(), name: 'x', kind: 'fixed' } }),
        403,
        'insufficient-scope',
      );
      // Sites hold no personal data: their routes are not audited, so neither is this refusal.
      expect(await intake.ds.query('SELECT 1 FROM audit_record WHERE request_id = $1', [requestId])).toEqual([]);
    });

    it('pages through sites with an opaque cursor', async () => {
      for (let i = 0; i < 3; i++) await intake.call('POST', '/v1/sites', { body: { code: uniqueSiteCode('GT-REC'), name: `Centro de Recepción ${i}`, kind: 'reception' } });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: { code: string }[]; nextCursor: string | null } } = await intake.call('GET', `/v1/sites?kind=reception&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((s) => s.code));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(seen);
      expect(problemFields(expectProblem(await intake.call('GET', '/v1/sites?limit=500'), 400))).toEqual(['limit']);
      expect(problemFields(expectProblem(await intake.call('GET', '/v1/sites?cursor=garbage'), 400))).toEqual(['cursor']);
    });
  });

  describe('cases', () => {
    it('opens a case with a GT-<year>-<6 digits> reference from the per-node yearly sequence (consecutive within one instance), and publishes CaseOpened', async () => {
      const a = await intake.call('POST', '/v1/persons', { body: people.kiche(site) });
      const b = await intake.call('POST', '/v1/persons', { body: people.kiche(site, { givenNames: 'Juana', sex: 'female' }) });
      const year = new Date().getUTCFullYear();
      expect(a.body.caseReference).toMatch(new RegExp(`^GT-${year}-\\d{6}$`));
      expect(Number(b.body.caseReference.slice(-6))).toBe(Number(a.body.caseReference.slice(-6)) + 1);
      expect(await outboxTypes(a.body.caseId)).toEqual(['puente.intake.v1.CaseOpened', 'puente.intake.v1.PersonRegistered']);

      const read = await intake.call('GET', `/v1/cases/${a.body.caseId}`);
      expect(read.body).toMatchObject({ reference: a.body.caseReference, siteCode: site, custodyNode: 'GT', status: 'open', priority: 'urgent', principalPersonId: a.body.personId, personIds: [a.body.personId], closedAt: null });
    });

    it('opens a further case for a registered person (e.g. at a reception centre), not for an unknown one', async () => {
      const person = await intake.call('POST', '/v1/persons', { body: people.kiche(site, { givenNames: 'Rigoberto' }) });
      const opened = await intake.call('POST', '/v1/cases', { body: { siteCode: site, personId: person.body.personId, priority: 'normal' } });
      expect(opened.status).toBe(201);
      expect(opened.body.reference).not.toBe(person.body.caseReference);
      expect(opened.body.personIds).toEqual([person.body.personId]);
      const unknown = await intake.call('POST', '/v1/cases', { body: { siteCode: site, personId: randomUUID() } });
      expect(problemFields(expectProblem(unknown, 422, 'unknown-reference'))).toEqual(['personId']);
    });

    it('moves through allowed statuses with If-Match, refuses illegal ones (409), and closes with a reason', async () => {
      const { caseId } = await registerFamily();
      let res = await intake.call('GET', `/v1/cases/${caseId}`);
      let etag = res.headers.get('etag') as string;
      res = await intake.call('PATCH', `/v1/cases/${caseId}`, { body: { status: 'in_screening' }, headers: { 'if-match': etag } });
      expect(res.body.status).toBe('in_screening');
      etag = res.headers.get('etag') as string;
      const illegal = await intake.call('PATCH', `/v1/cases/${caseId}`, { body: { status: 'transferred' }, headers: { 'if-match': etag } });
      expect(expectProblem(illegal, 409, 'illegal-transition')).toMatchObject({ from: 'in_screening', to: 'transferred' });
      expect(problemFields(expectProblem(await intake.call('PATCH', `/v1/cases/${caseId}`, { body: { status: 'closed' }, headers: { 'if-match': etag } }), 400))).toEqual(['status']);

      expect(problemFields(expectProblem(await intake.call('POST', `/v1/cases/${caseId}/close`, { body: { reason: 'because' }, headers: { 'if-match': etag } }), 400))).toEqual(['reason']);
      const closed = await intake.call('POST', `/v1/cases/${caseId}/close`, { body: { reason: 'services_completed' }, headers: { 'if-match': etag } });
      expect(closed.status).toBe(200);
      expect(closed.body).toMatchObject({ status: 'closed', closeReason: 'services_completed' });
      expect(closed.body.closedAt).toEqual(expect.any(String));
      const again = await intake.call('POST', `/v1/cases/${caseId}/close`, { body: { reason: 'duplicate' }, headers: { 'if-match': closed.headers.get('etag') as string } });
      expectProblem(again, 409, 'illegal-transition');
      const types = await outboxTypes(caseId);
      expect(types.slice(-3)).toEqual(['puente.intake.v1.CaseStatusChanged', 'puente.intake.v1.CaseStatusChanged', 'puente.intake.v1.CaseClosed']);
      // a closed case takes no new members
      const late = await intake.call('POST', '/v1/persons', { body: people.child(site, caseId, 'Brandon', '2019-01-01') });
      expectProblem(late, 409, 'illegal-transition');
    });

    it('searches by reference, site, status, date and match key, only within the jurisdiction', async () => {
      const { caseId, reference } = await registerFamily();
      const byRef = await intake.call('GET', `/v1/cases?reference=${reference}`);
      expect(byRef.body.items.map((c: { id: string }) => c.id)).toEqual([caseId]);
      const bySite = await intake.call('GET', `/v1/cases?siteCode=${site}&status=open&limit=200`);
      expect(bySite.body.items.map((c: { id: string }) => c.id)).toContain(caseId);
      const openedAt = (await intake.call('GET', `/v1/cases/${caseId}`)).body.openedAt as string;
      const window = await intake.call('GET', `/v1/cases?openedFrom=${encodeURIComponent(openedAt)}&openedTo=${encodeURIComponent(new Date(Date.parse(openedAt) + 1).toISOString())}`);
      expect(window.body.items.map((c: { id: string }) => c.id)).toEqual([caseId]);
      const [{ value }] = await intake.ds.query(
        `SELECT k.value FROM person_match_key k JOIN intake_case c ON c.principal_person_id = k.person_id WHERE c.id = $1 AND k.rule = 'FULLNAME_DOB'`,
        [caseId],
      );
      const byKey = await intake.call('GET', `/v1/cases?matchKey=${value}`);
      expect(byKey.body.items.map((c: { id: string }) => c.id)).toContain(caseId);
      // a COMAR officer (MX jurisdiction) sees none of it, and the case itself is a 404
      const mx = await intake.token({ partnerId: 'MX-COMAR', node: 'MX', jurisdictions: ['MX'], scopes: ['cases:read'] });
      expect((await intake.call('GET', `/v1/cases?reference=${reference}`, { token: mx })).body.items).toEqual([]);
      expectProblem(await intake.call('GET', `/v1/cases/${caseId}`, { token: mx }), 404, 'not-found');
      expectProblem(await intake.call('GET', `/v1/cases/${randomUUID()}`), 404, 'not-found');
      expect(problemFields(expectProblem(await intake.call('GET', '/v1/cases?reference=GT-26-1&status=lost&openedFrom=yesterday'), 400)).sort()).toEqual(['openedFrom', 'reference', 'status']);
      expect(problemFields(expectProblem(await intake.call('GET', '/v1/cases/not-a-uuid'), 400))).toEqual(['id']);
    });

    it('replays a creating POST with the same Idempotency-Key, and refuses the key with another body (422)', async () => {
      const key = randomUUID();
      const body = people.kiche(site, { givenNames: 'Idempotente' });
      const first = await intake.call('POST', '/v1/persons', { body, idempotencyKey: key });
      const replay = await intake.call('POST', '/v1/persons', { body, idempotencyKey: key });
      expect(first.status).toBe(201);
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      // Stored by the registration's own statement (idempotentCompletionPart), exactly as answered.
      const [record] = await intake.ds.query(`SELECT status, response_status, response_body FROM idempotency_record WHERE idempotency_key = $1`, [key]);
      expect(record).toEqual({ status: 'completed', response_status: 201, response_body: first.body });
      const [{ count }] = await intake.ds.query(`SELECT count(*)::int AS count FROM case_person WHERE case_id = $1`, [first.body.caseId]);
      expect(count).toBe(1);
      expectProblem(await intake.call('POST', '/v1/persons', { body: { ...body, givenNames: 'Otro' }, idempotencyKey: key }), 422, 'idempotency-key-reused');
      expectProblem(await intake.call('POST', '/v1/persons', { body, idempotencyKey: null }), 428, 'idempotency-key-required');
    });
  });

  describe('households', () => {
    it('groups a mother and her children, derives care statuses and publishes HouseholdChanged', async () => {
      const { caseId, motherId, sonId, daughterId } = await registerFamily();
      const created = await intake.call('POST', '/v1/households', {
        body: {
          caseId,
          members: [
            { personId: motherId, relationship: 'principal' },
            { personId: sonId, relationship: 'child' },
            { personId: daughterId, relationship: 'child' },
          ],
        },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ caseId, unaccompaniedChildren: 0, separatedChildren: 0 });
      expect(created.body.members).toEqual([
        { personId: motherId, relationship: 'principal', ageBand: 'aged_18_to_59', careStatus: 'not_a_child', unaccompaniedOrSeparated: false },
        expect.objectContaining({ personId: sonId, careStatus: 'accompanied', ageBand: 'aged_5_to_11' }),
        expect.objectContaining({ personId: daughterId, careStatus: 'accompanied', ageBand: 'aged_12_to_17' }),
      ]);
      expect((await outboxTypes(caseId)).at(-1)).toBe('puente.intake.v1.HouseholdChanged');
      // the birth dates decrypted to tell children from adults are on the audit record, with the purpose
      const derived = await intake.ds.query(`SELECT object_id, purpose FROM audit_record WHERE action = 'person.derive-age' AND object_id = ANY($1::text[]) ORDER BY seq`, [
        [motherId, sonId, daughterId],
      ]);
      expect(derived.map((r: { object_id: string }) => r.object_id).sort()).toEqual([motherId, sonId, daughterId].sort());
      expect(new Set(derived.map((r: { purpose: string }) => r.purpose))).toEqual(new Set(['case-management']));
      expect((await intake.call('GET', `/v1/cases/${caseId}`)).body.householdId).toBe(created.body.id);
      expect((await intake.call('GET', `/v1/cases/${caseId}/household`)).body.id).toBe(created.body.id);

      // the same person twice, a second household for the case, a member twice
      expectProblem(await intake.call('POST', '/v1/households', { body: { caseId, members: [{ personId: motherId, relationship: 'principal' }] } }), 409, 'already-exists');
      const etag = created.headers.get('etag') as string;
      const again = await intake.call('POST', `/v1/households/${created.body.id}/members`, { body: { personId: sonId, relationship: 'sibling' }, headers: { 'if-match': etag } });
      expect(problemFields(expectProblem(again, 409, 'already-exists'))).toEqual(['personId']);

      // a baby registered later joins; the daughter turns out to be a niece (no parent here: separated)
      const baby = await intake.call('POST', '/v1/persons', { body: people.child(site, caseId, 'Génesis', '2025-06-01', { sex: 'female' }) });
      const added = await intake.call('POST', `/v1/households/${created.body.id}/members`, { body: { personId: baby.body.personId, relationship: 'child' }, headers: { 'if-match': etag } });
      expect(added.status).toBe(200);
      expect(added.body.members.at(-1)).toMatchObject({ personId: baby.body.personId, ageBand: 'aged_0_to_4', careStatus: 'accompanied' });
      const niece = await intake.call('PUT', `/v1/households/${created.body.id}/members/${daughterId}`, { body: { relationship: 'other' }, headers: { 'if-match': added.headers.get('etag') as string } });
      expect(niece.body.members.find((m: { personId: string }) => m.personId === daughterId)).toMatchObject({ relationship: 'other', careStatus: 'separated', unaccompaniedOrSeparated: true });
      expect(niece.body).toMatchObject({ separatedChildren: 1, version: 3 });
      expectProblem(await intake.call('PUT', `/v1/households/${created.body.id}/members/${daughterId}`, { body: { relationship: 'child' }, headers: { 'if-match': etag } }), 412, 'precondition-failed');
    });

    it('flags a 15-year-old travelling with an adult cousin as separated, and unaccompanied once the cousin leaves', async () => {
      const teen = await intake.call('POST', '/v1/persons', { body: people.child(site, '', 'Josué', '2010-09-30', { caseId: undefined, case: { priority: 'high', household: true } }) });
      expect(teen.status).toBe(201);
      const caseId = teen.body.caseId;
      const cousin = await intake.call('POST', '/v1/persons', { body: people.child(site, caseId, 'Wilmer', '2001-01-12') });
      const created = await intake.call('POST', '/v1/households', {
        body: { caseId, members: [{ personId: teen.body.personId, relationship: 'principal' }, { personId: cousin.body.personId, relationship: 'other' }] },
      });
      expect(created.body).toMatchObject({ separatedChildren: 1, unaccompaniedChildren: 0 });
      expect(created.body.members[0]).toMatchObject({ careStatus: 'separated', unaccompaniedOrSeparated: true });

      const removed = await intake.call('DELETE', `/v1/households/${created.body.id}/members/${cousin.body.personId}`, { headers: { 'if-match': created.headers.get('etag') as string } });
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ unaccompaniedChildren: 1, separatedChildren: 0, version: 2 });
      expect(removed.body.members).toEqual([expect.objectContaining({ personId: teen.body.personId, careStatus: 'unaccompanied' })]);
      const cannot = await intake.call('DELETE', `/v1/households/${created.body.id}/members/${teen.body.personId}`, { headers: { 'if-match': removed.headers.get('etag') as string } });
      expectProblem(cannot, 409, 'illegal-transition');
    });

    it('refuses bad memberships with the field named, and writes nothing', async () => {
      const { caseId, motherId, sonId } = await registerFamily();
      const twice = await intake.call('POST', '/v1/households', {
        body: { caseId, members: [{ personId: motherId, relationship: 'principal' }, { personId: sonId, relationship: 'child' }, { personId: sonId, relationship: 'sibling' }] },
      });
      expect(problemFields(expectProblem(twice, 400, 'validation-error'))).toEqual(['members[2].personId']);
      const noPrincipal = await intake.call('POST', '/v1/households', { body: { caseId, members: [{ personId: sonId, relationship: 'child' }] } });
      expect(problemFields(expectProblem(noPrincipal, 400))).toEqual(['members']);
      const stranger = await intake.call('POST', '/v1/households', {
        body: { caseId, members: [{ personId: motherId, relationship: 'principal' }, { personId: randomUUID(), relationship: 'child' }] },
      });
      expect(problemFields(expectProblem(stranger, 422, 'unknown-reference'))).toEqual(['members[1].personId']);
      const badRelationship = await intake.call('POST', '/v1/households', { body: { caseId, members: [{ personId: motherId, relationship: 'cousin' }], extra: 1 } });
      expect(problemFields(expectProblem(badRelationship, 400)).sort()).toEqual(['extra', 'members[0].relationship']);
      const [{ count }] = await intake.ds.query('SELECT count(*)::int AS count FROM household WHERE case_id = $1', [caseId]);
      expect(count).toBe(0);
      expect(await outboxTypes(caseId)).not.toContain('puente.intake.v1.HouseholdChanged');
    });
  });

  describe('consents', () => {
    it('records consents per purpose and withdraws them, with events', async () => {
      const { caseId, motherId } = await registerFamily();
      const screening = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId: motherId, purpose: 'screening', method: 'written' } });
      expect(screening.status).toBe(201);
      expect(screening.body).toMatchObject({ purpose: 'screening', method: 'written', state: 'active', withdrawnAt: null });
      const sharing = await intake.call('POST', `/v1/cases/${caseId}/consents`, {
        body: { personId: motherId, purpose: 'data_sharing', partnerId: 'MX-COMAR', method: 'verbal_with_witness', witnessedBy: 'GT-MRC-01/cw-0042', validUntil: new Date(Date.now() + 90 * 86_400_000).toISOString() },
      });
      expect(sharing.status).toBe(201);
      const transfer = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId: motherId, purpose: 'cross_border_transfer', destinationCountry: 'MX', method: 'written' } });
      expect(transfer.body.destinationCountry).toBe('MX');

      expect((await intake.call('GET', `/v1/consents/${sharing.body.id}`)).body).toMatchObject({ partnerId: 'MX-COMAR', method: 'verbal_with_witness', witnessedBy: 'GT-MRC-01/cw-0042', state: 'active' });
      const withdrawn = await intake.call('POST', `/v1/consents/${sharing.body.id}/withdraw`);
      expect(withdrawn.status).toBe(200);
      expect(withdrawn.body).toMatchObject({ state: 'withdrawn' });
      expectProblem(await intake.call('POST', `/v1/consents/${sharing.body.id}/withdraw`), 409, 'illegal-transition');

      const list = await intake.call('GET', `/v1/cases/${caseId}/consents?limit=2`);
      expect(list.body.items.map((c: { purpose: string }) => c.purpose)).toEqual(['screening', 'data_sharing']);
      const rest = await intake.call('GET', `/v1/cases/${caseId}/consents?limit=2&cursor=${list.body.nextCursor}`);
      expect(rest.body).toEqual({ items: [expect.objectContaining({ purpose: 'cross_border_transfer' })], nextCursor: null });
      const types = await outboxTypes(caseId);
      expect(types.filter((t) => t.includes('Consent'))).toEqual([
        'puente.intake.v1.ConsentRecorded',
        'puente.intake.v1.ConsentRecorded',
        'puente.intake.v1.ConsentRecorded',
        'puente.intake.v1.ConsentWithdrawn',
      ]);
    });

    it('refuses a consent naming a partner that was deactivated in the directory', async () => {
      const { caseId, motherId } = await registerFamily();
      const id = `US-USRAP-${Date.now().toString(36).toUpperCase()}`;
      await announcePartners(testBroker(), [{ partnerId: id, version: 1 }]);
      await eventually(`partner ${id} to be followed`, async () => (await intake.call('GET', `/v1/partner-directory/${id}`)).status === 200, 30_000, 200);
      const ok = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId: motherId, purpose: 'referral', partnerId: id, method: 'written' } });
      expect(ok.status).toBe(201);
      await announcePartners(testBroker(), [{ partnerId: id, version: 2, active: false }]);
      const off = await eventually('the deactivation to be followed', async () => {
        const res = await intake.call('GET', `/v1/partner-directory/${id}`);
        return res.body.version === 2 ? res : undefined;
      }, 30_000, 200);
      expect(off.body).toMatchObject({ active: false, version: 2 });
      const refused = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId: motherId, purpose: 'referral', partnerId: id, method: 'written' } });
      expect(problemFields(expectProblem(refused, 422, 'unknown-reference'))).toEqual(['partnerId']);
    });

    it('takes a child\'s consent from a guardian only, and refuses unknown partners and inconsistent terms naming the field', async () => {
      const { caseId, motherId, sonId } = await registerFamily();
      const childAlone = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId: sonId, purpose: 'screening', method: 'written' } });
      expect(problemFields(expectProblem(childAlone, 400))).toEqual(['method']);
      const byMother = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId: sonId, purpose: 'screening', method: 'guardian', guardianPersonId: motherId } });
      expect(byMother.status).toBe(201);
      const byChild = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId: motherId, purpose: 'screening', method: 'guardian', guardianPersonId: sonId } });
      expect(problemFields(expectProblem(byChild, 400))).toEqual(['guardianPersonId']);

      const unknownPartner = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId: motherId, purpose: 'data_sharing', partnerId: 'US-NOWHERE', method: 'written' } });
      expect(problemFields(expectProblem(unknownPartner, 422, 'unknown-reference'))).toEqual(['partnerId']);
      const noPartner = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId: motherId, purpose: 'data_sharing', method: 'written' } });
      expect(problemFields(expectProblem(noPartner, 400))).toEqual(['partnerId']);
      const sameNode = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId: motherId, purpose: 'cross_border_transfer', destinationCountry: 'GT', method: 'written' } });
      expect(problemFields(expectProblem(sameNode, 400))).toEqual(['destinationCountry']);
      const wrongTypes = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId: 42, purpose: 'marketing', method: 'telepathy', validUntil: 'soon' } });
      expect(problemFields(expectProblem(wrongTypes, 400)).sort()).toEqual(['method', 'personId', 'purpose', 'validUntil']);
      const notOnCase = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId: randomUUID(), purpose: 'screening', method: 'written' } });
      expect(problemFields(expectProblem(notOnCase, 422))).toEqual(['personId']);
      const consents = await intake.call('GET', `/v1/cases/${caseId}/consents`);
      expect(consents.body.items).toHaveLength(1);
    });
  });
});
