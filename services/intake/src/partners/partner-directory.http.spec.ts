// Intake follows referral-routing's directory over real Kafka: PartnerChanged events upsert the
// partners a consent may name; older versions are ignored; intake's own write routes are gone.
import { PartnerType, Topics } from '@puente/contracts';
import { type BrokerClient, readTopic, sendRaw } from '@puente/messaging';
import { eventually } from '@puente/testing';
import { expectProblem, type IntakeTestApp, people, problemFields, startIntake, testBroker, uniqueSiteCode } from '../spec/testing/harness';
import { partnerChangedRecord as partnerChanged } from './testing/directory-events';

const GROUP = 'puente.intake.spec.partners';

describe('partner directory followed from referral-routing (HTTP + Kafka)', () => {
  let intake: IntakeTestApp;
  let broker: BrokerClient;
  let site: string;
  const suffix = `${process.pid.toString(36)}${Date.now().toString(36)}`.toUpperCase();

  beforeAll(async () => {
    intake = await startIntake('partners', { consumerGroup: GROUP });
    broker = testBroker();
    site = uniqueSiteCode();
    expect((await intake.call('POST', '/v1/sites', { body: { code: site, name: 'CRM Tecún Umán', kind: 'fixed' } })).status).toBe(201);
  });

  afterAll(async () => {
    await intake?.close();
  });

  const partnerAt = (id: string, version: number) =>
    eventually(`partner ${id} at version ${version}`, async () => {
      const res = await intake.call('GET', `/v1/partner-directory/${id}`);
      return res.status === 200 && res.body.version === version ? res : undefined;
    }, 30_000, 200);

  const processed = (eventId: string) =>
    eventually(`event ${eventId} to be processed`, async () => (await intake.ds.query('SELECT 1 FROM inbox_message WHERE consumer_group = $1 AND event_id = $2', [GROUP, eventId])).length === 1, 30_000, 200);

  it('adds a partner announced by the directory, and a consent may name it (by id or by its type)', async () => {
    const id = `US-USRAP-${suffix}`;
    await sendRaw(broker, Topics.directory.name, [partnerChanged({ partnerId: id, version: 1 })]);
    const read = await partnerAt(id, 1);
    expect(read.body).toEqual({ id, name: 'U.S. Refugee Admissions Program', country: 'US', partnerType: 'resettlement_program', active: true, updatedAt: expect.any(String), version: 1 });
    expect(read.headers.get('etag')).toMatch(/^"/);
    const list = await intake.call('GET', '/v1/partner-directory?country=US&limit=200');
    expect(list.body.items.map((p: { id: string }) => p.id)).toContain(id);

    const person = await intake.call('POST', '/v1/persons', { body: people.mariaJose(site) });
    expect(person.status).toBe(201);
    const { caseId, personId } = person.body;
    const byId = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId, purpose: 'referral', partnerId: id, method: 'written' } });
    expect(byId.status).toBe(201);
    expect(byId.body).toMatchObject({ partnerId: id, state: 'active' });
    const byType = await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId, purpose: 'data_sharing', partnerType: read.body.partnerType, method: 'written' } });
    expect(byType.status).toBe(201);
    expect(byType.body).toMatchObject({ partnerType: 'resettlement_program', partnerId: null });
  });

  it('keeps the newest version: a rename and deactivation are followed, an older change arriving later is ignored', async () => {
    const id = `MX-COMAR-${suffix}`;
    const comar = { partnerId: id, label: 'Comisión Mexicana de Ayuda a Refugiados', partnerType: PartnerType.GOVERNMENT_ASYLUM_AGENCY, country: 'MX' };
    await sendRaw(broker, Topics.directory.name, [partnerChanged({ ...comar, version: 1 })]);
    await partnerAt(id, 1);

    await sendRaw(broker, Topics.directory.name, [partnerChanged({ ...comar, label: 'COMAR Tapachula', active: false, version: 3 })]);
    const v3 = await partnerAt(id, 3);
    expect(v3.body).toMatchObject({ name: 'COMAR Tapachula', active: false, partnerType: 'government_asylum_agency', country: 'MX' });

    const stale = partnerChanged({ ...comar, label: 'COMAR (old name)', active: true, version: 2 });
    const replayed = partnerChanged({ ...comar, label: 'COMAR (same version)', active: true, version: 3 });
    await sendRaw(broker, Topics.directory.name, [stale, replayed]);
    await processed(stale.headers.ce_id);
    await processed(replayed.headers.ce_id);
    const after = await intake.call('GET', `/v1/partner-directory/${id}`);
    expect(after.body).toMatchObject({ name: 'COMAR Tapachula', active: false, version: 3 });
    expect(after.headers.get('etag')).toBe(v3.headers.get('etag'));

    // a deactivated partner cannot be named in a new consent
    const person = await intake.call('POST', '/v1/persons', { body: people.mariaJose(site) });
    const refused = await intake.call('POST', `/v1/cases/${person.body.caseId}/consents`, { body: { personId: person.body.personId, purpose: 'referral', partnerId: id, method: 'written' } });
    expect(problemFields(expectProblem(refused, 422, 'unknown-reference'))).toEqual(['partnerId']);

    await sendRaw(broker, Topics.directory.name, [partnerChanged({ ...comar, active: true, version: 4 })]);
    await partnerAt(id, 4);
    const accepted = await intake.call('POST', `/v1/cases/${person.body.caseId}/consents`, { body: { personId: person.body.personId, purpose: 'referral', partnerId: id, method: 'written' } });
    expect(accepted.status).toBe(201);
  });

  it('dead-letters a PartnerChanged it cannot follow (no partner type) and goes on with the next', async () => {
    const id = `GT-NGO-${suffix}`;
    const untyped = partnerChanged({ partnerId: id, partnerType: PartnerType.UNSPECIFIED, country: 'GT', version: 1 });
    const typed = partnerChanged({ partnerId: id, partnerType: PartnerType.NGO_SERVICE_PROVIDER, country: 'GT', label: 'Casa del Migrante', version: 2 });
    await sendRaw(broker, Topics.directory.name, [untyped, typed]);
    expect((await partnerAt(id, 2)).body).toMatchObject({ name: 'Casa del Migrante', partnerType: 'ngo_service_provider' });
    const ours = (r: { headers: Record<string, string> }) => r.headers.ce_id === untyped.headers.ce_id && r.headers.dlq_consumer_group === GROUP;
    const dead = await readTopic(broker, `${Topics.directory.name}.dlq`, { timeoutMs: 30_000, until: (seen) => seen.some(ours) });
    expect(dead.find(ours)!.headers).toMatchObject({ dlq_error_type: 'NonRetryableError', dlq_original_topic: Topics.directory.name });
  });

  it('no longer takes partner writes: they belong to referral-routing (/v1/directory/partners)', async () => {
    expect((await intake.call('POST', '/v1/partner-directory', { body: { id: 'X-1', name: 'x', country: 'MX', partnerType: 'consulate' } })).status).toBe(404);
    expect((await intake.call('PATCH', `/v1/partner-directory/US-USRAP-${suffix}`, { body: { active: false }, headers: { 'if-match': '"x"' } })).status).toBe(404);
    const doc = (await intake.call('GET', '/docs/openapi.json', { token: null })).body as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/v1/partner-directory'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/v1/partner-directory/{id}'] ?? {})).toEqual(['get']);
  });
});
