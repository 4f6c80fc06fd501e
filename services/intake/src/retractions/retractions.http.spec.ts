// Retraction notices to partners over real HTTP (PostgreSQL): a disclosure is a delivery; the
// consent's withdrawal owes the partner a notice; the partner answers it; the caseworker sees
// which receipts are missing.
import { expectProblem, type IntakeTestApp, people, startIntake, uniqueSiteCode } from '../spec/testing/harness';

describe('retraction notices to partners (HTTP)', () => {
  let intake: IntakeTestApp;
  let site: string;
  let routing: string;
  const suffix = `${process.pid.toString(36)}${Date.now().toString(36)}`.toUpperCase();
  const comar = `MX-COMAR-${suffix}`;
  const unhcr = `UNHCR-GT-${suffix}`;

  beforeAll(async () => {
    intake = await startIntake('retractions');
    site = uniqueSiteCode();
    expect((await intake.call('POST', '/v1/sites', { body: { code: site, name: 'CRM Tecún Umán', kind: 'fixed' } })).status).toBe(201);
    for (const [id, type] of [
      [comar, 'government_asylum_agency'],
      [unhcr, 'international_organization'],
    ]) {
      await intake.ds.query(`INSERT INTO partner_directory_entry (id, name, country, partner_type, active, created_at, updated_at, version) VALUES ($1, $1, 'MX', $2, true, now(), now(), 1)`, [id, type]);
    }
    routing = await intake.token({ scopes: ['persons:disclose'], clientId: 'referral-routing', partnerId: 'GT-IGM' });
  });

  afterAll(async () => {
    await intake?.close();
  });

  const consent = async (caseId: string, body: Record<string, unknown>) => {
    const res = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { method: 'written', ...body } });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const disclose = (personId: string, partnerId: string) => intake.call('POST', `/v1/persons/${personId}/disclosures`, { token: routing, body: { partnerId, purpose: 'referral', fields: ['person.givenNames'] } });
  const notices = async (personId: string) => {
    const res = await intake.call('GET', `/v1/persons/${personId}/retractions`);
    expect(res.status).toBe(200);
    return res.body as { items: { noticeId: string; receiverType: string; receiver: string; cause: string; purpose: string | null; channels: string[]; status: string; receiptedAt: string | null }[]; missingReceipts: number };
  };
  const partnerToken = (partnerId: string) => intake.token({ scopes: ['retractions:answer'], clientId: `${partnerId.toLowerCase()}-system`, partnerId });
  const outboxTypes = async (noticeId: string): Promise<string[]> =>
    (await intake.ds.query(`SELECT event_type AS type FROM outbox_message WHERE topic = 'puente.referral.retraction.v1' AND position(convert_to($1, 'UTF8') in payload) > 0 ORDER BY id`, [noticeId])).map((r: { type: string }) => r.type);

  it('withdrawing the referral consent sends the partner that got data a notice; its receipt closes it; the caseworker sees what is missing', async () => {
    const res = await intake.call('POST', '/v1/persons', { body: people.mariaJose(site) });
    expect(res.status).toBe(201);
    const { personId, caseId } = res.body as { personId: string; caseId: string };
    const toComar = await consent(caseId, { personId, purpose: 'referral', partnerId: comar });
    await consent(caseId, { personId, purpose: 'referral', partnerId: unhcr });
    expect((await disclose(personId, comar)).status).toBe(200);
    expect((await disclose(personId, unhcr)).status).toBe(200);
    expect(await notices(personId)).toEqual({ items: [], missingReceipts: 0 });

    // Only COMAR's consent is withdrawn: UNHCR keeps what its own consent still covers.
    expect((await intake.call('POST', `/v1/consents/${toComar.id}/withdraw`)).status).toBe(200);
    const after = await notices(personId);
    expect(after.missingReceipts).toBe(1);
    expect(after.items).toEqual([
      expect.objectContaining({ receiverType: 'partner', receiver: comar, cause: 'consent-withdrawn', purpose: 'referral', channels: ['disclosure'], status: 'waiting', receiptedAt: null }),
    ]);
    const { noticeId } = after.items[0];
    expect(await outboxTypes(noticeId)).toEqual(['puente.referral.v1.RetractionSent']);

    // Another partner cannot answer it (404, as if it did not exist); COMAR can, twice with the same answer.
    expectProblem(await intake.call('POST', `/v1/retraction-notices/${noticeId}/receipt`, { token: await partnerToken(unhcr) }), 404, 'not-found');
    const answered = await intake.call('POST', `/v1/retraction-notices/${noticeId}/receipt`, { token: await partnerToken(comar) });
    expect(answered.status).toBe(200);
    const again = await intake.call('POST', `/v1/retraction-notices/${noticeId}/receipt`, { token: await partnerToken(comar) });
    expect(again.body).toEqual(answered.body);
    expect(await notices(personId)).toEqual({ items: [expect.objectContaining({ noticeId, status: 'receipted', receiptedAt: answered.body.receiptedAt })], missingReceipts: 0 });
    expect(await outboxTypes(noticeId)).toEqual(['puente.referral.v1.RetractionSent', 'puente.referral.v1.RetractionReceipted']);

    // The erasure owes UNHCR its notice now, and COMAR nothing more.
    expect((await intake.call('POST', `/v1/persons/${personId}/erase`)).status).toBeLessThan(300);
    const erased = await notices(personId);
    expect(erased.items.map((n) => `${n.receiver}:${n.cause}:${n.status}`)).toEqual([`${unhcr}:person-erased:waiting`, `${comar}:consent-withdrawn:receipted`]);
    expect(erased.missingReceipts).toBe(1);
  });

  it('a caller outside the person\'s jurisdictions gets 404; a partner without the scope gets 403', async () => {
    const res = await intake.call('POST', '/v1/persons', { body: people.mariaJose(site) });
    const { personId } = res.body as { personId: string };
    const stranger = await intake.token({ jurisdictions: ['CR'] });
    expectProblem(await intake.call('GET', `/v1/persons/${personId}/retractions`, { token: stranger }), 404, 'not-found');
    const noScope = await intake.token({ scopes: ['cases:read'], partnerId: comar });
    expect((await intake.call('POST', `/v1/retraction-notices/${personId}/receipt`, { token: noScope })).status).toBe(403);
  });
});
