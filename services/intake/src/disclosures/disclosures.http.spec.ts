// Disclosure of identity fields to a named partner over real HTTP (PostgreSQL): referral routing's
// service token, consent in force for the purpose, partner and partner type, minimization, audit.
import { randomBytes } from 'node:crypto';
import { expectProblem, type IntakeTestApp, people, problemFields, startIntake, uniqueSiteCode } from '../spec/testing/harness';

/** Letters only, unique to this run: a name no other record can contain by chance. */
function marker(): string {
  return `Xio${[...randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;
}

interface AuditRow {
  action: string;
  object_type: string;
  object_id: string | null;
  purpose: string | null;
  outcome: string;
  actor_client_id: string | null;
}

describe('disclosures to partners (HTTP)', () => {
  let intake: IntakeTestApp;
  let site: string;
  let routing: string;
  const suffix = `${process.pid.toString(36)}${Date.now().toString(36)}`.toUpperCase();
  const comar = `MX-COMAR-${suffix}`;
  const unhcr = `UNHCR-GT-${suffix}`;
  const given = `María José ${marker()}`;
  const family = `Pérez Gómez ${marker()}`;
  const phone = `+5043${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
  const email = `${marker().toLowerCase()}@example.org`;
  const documentNumber = `0801-1994-${Math.floor(10_000 + Math.random() * 89_999)}`;
  const agreementFields = ['person.givenNames', 'person.familyNames', 'person.contact.phone', 'person.documents', 'person.birthDate'];

  beforeAll(async () => {
    intake = await startIntake('disclosures');
    site = uniqueSiteCode();
    expect((await intake.call('POST', '/v1/sites', { body: { code: site, name: 'CRM Tecún Umán', kind: 'fixed' } })).status).toBe(201);
    // The directory is followed from referral-routing's PartnerChanged events; here its rows are seeded directly.
    for (const [id, name, country, type] of [
      [comar, 'Comisión Mexicana de Ayuda a Refugiados (Tapachula)', 'MX', 'government_asylum_agency'],
      [unhcr, 'ACNUR Guatemala', 'GT', 'international_organization'],
    ]) {
      await intake.ds.query(
        `INSERT INTO partner_directory_entry (id, name, country, partner_type, active, created_at, updated_at, version) VALUES ($1, $2, $3, $4, true, now(), now(), 1)`,
        [id, name, country, type],
      );
    }
    routing = await intake.token({ scopes: ['persons:disclose'], clientId: 'referral-routing', partnerId: 'GT-IGM' });
  });

  afterAll(async () => {
    await intake?.close();
  });

  async function register(): Promise<{ personId: string; caseId: string }> {
    const res = await intake.call('POST', '/v1/persons', {
      body: people.mariaJose(site, {
        givenNames: given,
        familyNames: family,
        contact: { phone, email },
        documents: [{ type: 'national_id', number: documentNumber, issuingCountry: 'HN' }],
      }),
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  const consent = async (caseId: string, body: Record<string, unknown>) => {
    const res = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { method: 'written', ...body } });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };

  const disclose = (personId: string, body: Record<string, unknown>, token: string | undefined = routing) =>
    intake.call('POST', `/v1/persons/${personId}/disclosures`, { token, body });

  const auditOf = (objectId: string): Promise<AuditRow[]> =>
    intake.ds.query(`SELECT action, object_type, object_id, purpose, outcome, actor_client_id FROM audit_record WHERE object_id = $1 ORDER BY seq`, [objectId]);

  it('returns the agreed fields the referral consent allows for the partner type, and audits the person read and the receiving partner', async () => {
    const { personId, caseId } = await register();
    const k = await consent(caseId, { personId, purpose: 'referral', partnerType: 'government_asylum_agency' });
    const res = await disclose(personId, { partnerId: comar, purpose: 'referral', fields: agreementFields });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      personId,
      partnerId: comar,
      purpose: 'referral',
      person: { givenNames: given, familyNames: family, birthDate: '1994-08-21', contact: { phone } },
      disclosedFields: ['person.birthDate', 'person.contact.phone', 'person.familyNames', 'person.givenNames'],
      withheldFields: ['person.documents'],
      consentIds: [k.id],
    });
    expect(JSON.stringify(res.body)).not.toContain(email);
    expect(JSON.stringify(res.body)).not.toContain(documentNumber);

    expect((await auditOf(personId)).filter((r) => r.action === 'person.disclose')).toEqual([
      { action: 'person.disclose', object_type: 'person', object_id: personId, purpose: 'referral', outcome: 'success', actor_client_id: 'referral-routing' },
    ]);
    const recipient = await intake.ds.query(`SELECT action, object_type, object_id, purpose, outcome, actor_client_id FROM audit_record WHERE object_id = $1 AND action = 'person.disclose.recipient'`, [comar]);
    expect(recipient).toEqual([{ action: 'person.disclose.recipient', object_type: 'partner', object_id: comar, purpose: 'referral', outcome: 'success', actor_client_id: 'referral-routing' }]);
    const audit = JSON.stringify(await intake.ds.query('SELECT * FROM audit_record'));
    for (const secret of [given, family, phone, email, documentNumber]) expect(audit).not.toContain(secret);
  });

  it('refuses (403 consent-required, audited as denied) without a referral consent in force for this partner', async () => {
    const { personId, caseId } = await register();
    expectProblem(await disclose(personId, { partnerId: comar, purpose: 'referral', fields: agreementFields }), 403, 'consent-required');

    // narrowed to another partner type, or a data-sharing consent: still no referral consent for COMAR
    await consent(caseId, { personId, purpose: 'referral', partnerType: 'international_organization' });
    await consent(caseId, { personId, purpose: 'data_sharing', partnerId: comar });
    const refused = await disclose(personId, { partnerId: comar, purpose: 'referral', fields: agreementFields });
    expectProblem(refused, 403, 'consent-required');
    expect(JSON.stringify(refused.body)).not.toContain(given);
    expect((await disclose(personId, { partnerId: unhcr, purpose: 'referral', fields: ['person.givenNames'] })).body.person).toEqual({ givenNames: given });

    // withdrawn: nothing more from now on
    const k = await consent(caseId, { personId, purpose: 'referral', partnerId: comar });
    expect((await disclose(personId, { partnerId: comar, purpose: 'referral', fields: ['person.familyNames'] })).status).toBe(200);
    expect((await intake.call('POST', `/v1/consents/${k.id}/withdraw`)).status).toBe(200);
    expectProblem(await disclose(personId, { partnerId: comar, purpose: 'referral', fields: ['person.familyNames'] }), 403, 'consent-required');

    const outcomes = (await auditOf(personId)).filter((r) => r.action === 'person.disclose').map((r) => r.outcome);
    expect(outcomes).toEqual(['denied', 'denied', 'success', 'success', 'denied']);
  });

  it('answers 410 for an erased person, before looking at consents', async () => {
    const { personId, caseId } = await register();
    await consent(caseId, { personId, purpose: 'referral' });
    expect((await intake.call('POST', `/v1/persons/${personId}/erase`)).status).toBe(200);
    const res = await disclose(personId, { partnerId: comar, purpose: 'referral', fields: agreementFields });
    expectProblem(res, 410, 'personal-data-erased');
    expect((await auditOf(personId)).filter((r) => r.action === 'person.disclose').map((r) => r.outcome)).toEqual(['error']);
  });

  it('needs the persons:disclose scope: a caseworker token with persons:read is refused', async () => {
    const { personId, caseId } = await register();
    await consent(caseId, { personId, purpose: 'referral' });
    const caseworker = await intake.token({ scopes: ['persons:read', 'cases:read'] });
    expectProblem(await disclose(personId, { partnerId: comar, purpose: 'referral', fields: agreementFields }, caseworker), 403, 'insufficient-scope');
  });

  it('refuses bad input with field errors and unknown persons or partners without disclosing anything', async () => {
    const { personId, caseId } = await register();
    await consent(caseId, { personId, purpose: 'referral' });
    const bad = await disclose(personId, { partnerId: 'no spaces allowed', purpose: 'screening', fields: ['matchKeys', 'person.givenNames'] });
    expectProblem(bad, 400);
    expect(problemFields(bad).sort()).toEqual(['fields', 'partnerId', 'purpose']);
    expect(problemFields(await disclose(personId, { partnerId: comar, purpose: 'referral', fields: [] }))).toEqual(['fields']);
    expectProblem(await disclose(personId, { partnerId: 'MX-NOBODY', purpose: 'referral', fields: ['person.givenNames'] }), 422, 'unknown-reference');
    expectProblem(await disclose('6f1c3c57-0d57-4b8e-9a0e-2d6f3f1b0c11', { partnerId: comar, purpose: 'referral', fields: ['person.givenNames'] }), 404);
    expect(problemFields(await intake.call('POST', '/v1/persons/not-a-uuid/disclosures', { token: routing, body: { partnerId: comar, purpose: 'referral', fields: ['person.givenNames'] } }))).toEqual(['id']);
  });
});
