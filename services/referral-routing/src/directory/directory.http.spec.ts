import { randomUUID } from 'node:crypto';
import { decodeEvent, Topics } from '@puente/contracts';
import { readTopic } from '@puente/messaging';
import { expectProblem, problemFields, type ReferralRoutingTestApp, startReferralRouting } from '../testing/harness';
import { compileEligibility } from './eligibility';
import { SEED_PARTNERS, SEED_PROGRAMS, seedId } from './seed/seed-directory';

const STAFF = { partnerId: 'GT-MRC-01', scopes: ['directory:read', 'partners:admin'] };
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('directory admin API over HTTP (real PostgreSQL and Kafka)', () => {
  let t: ReferralRoutingTestApp;

  beforeAll(async () => {
    t = await startReferralRouting('directory');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const staff = () => t.token(STAFF);
  const partnerToken = (partnerId: string) => t.token({ partnerId, scopes: ['directory:read', 'partners:admin'], jurisdictions: ['MX'], node: 'MX' });

  const newPartner = (over: Record<string, unknown> = {}) => ({
    id: `MX-TEST-${randomUUID().slice(0, 8).toUpperCase()}`,
    name: 'Clínica Jurídica de Prueba',
    kind: 'ngo',
    partnerType: 'ngo_service_provider',
    country: 'MX',
    node: 'MX',
    deliveryChannels: ['rest_pull', 'webhook'],
    webhookUrl: 'https://clinica.example.org/puente/webhooks',
    webhookSecret: SECRET,
    ...over,
  });

  describe('the seed directory', () => {
    it('is loaded on first start with realistic partners and programs for GT, HN, SV, MX, CR, US and CA', async () => {
      const countries = new Set<string>();
      let cursor: string | null = null;
      const ids: string[] = [];
      do {
        const page: any = await t.call('GET', `/v1/directory/partners?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { token: await staff() });
        expect(page.status).toBe(200);
        page.body.items.forEach((p: any) => {
          ids.push(p.id);
          countries.add(p.country);
        });
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(ids).toEqual(expect.arrayContaining(['MX-COMAR', 'UNHCR-CR', 'IOM-HN', 'US-PRM', 'CA-IRCC', 'GT-MINTRAB', 'MX-ALBERGUE-BELEN']));
      expect([...countries].sort()).toEqual(['CA', 'CR', 'GT', 'HN', 'MX', 'SV', 'US']);
      const cam = await t.call('GET', `/v1/directory/programs/${seedId('program/us-cam')}`, { token: await staff() });
      expect(cam.body).toMatchObject({ pathway: 'cam', partnerId: 'US-PRM', node: 'US', hostedHere: false, capacity: { totalSlots: 250, openSlots: 250 } });
      const mrc = await t.call('GET', `/v1/directory/locations?partnerId=IOM-GT`, { token: await staff() });
      expect(mrc.body.items.map((l: any) => l.siteCode)).toEqual(expect.arrayContaining(['GT-MRC-01', 'GT-MRC-02', 'GT-MRC-03']));
    });

    it('every seeded eligibility rule compiles in the shared rule language', () => {
      for (const p of SEED_PROGRAMS) expect({ program: p.key, issues: compileEligibility(p.eligibilityRule).issues }).toEqual({ program: p.key, issues: [] });
    });

    it('is not loaded twice: a restart on the same database keeps one copy and announces nothing again', async () => {
      const second = await startReferralRouting('directory');
      try {
        const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM directory_partner WHERE id = ANY ($1)`, [SEED_PARTNERS.map((p) => p.id)]);
        expect(n).toBe(SEED_PARTNERS.length);
        expect((await t.ds.query(`SELECT count(*)::int AS n FROM directory_program`))[0].n).toBeGreaterThanOrEqual(SEED_PROGRAMS.length);
        expect(await t.ds.query(`SELECT seed FROM directory_seed`)).toHaveLength(1);
        const [{ events }] = await t.ds.query(`SELECT count(*)::int AS events FROM outbox_message WHERE event_type = 'puente.referral.v1.PartnerChanged' AND message_key = 'MX-COMAR'`);
        expect(events).toBe(1);
      } finally {
        await second.close();
      }
    });
  });

  describe('partners', () => {
    it('node staff add a partner; the webhook secret is sealed and never returned; PartnerChanged goes out on the directory topic', async () => {
      const body = newPartner();
      const created = await t.call('POST', '/v1/directory/partners', { token: await staff(), body });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/v1/directory/partners/${body.id}`);
      expect(created.body.delivery).toEqual({
        channels: ['rest_pull', 'webhook'],
        restPull: true,
        webhookUrl: body.webhookUrl,
        webhookSecretSet: true,
        kafkaTopic: `puente.partner.${body.id.toLowerCase()}.v1`,
        kafka: false,
      });
      expect(created.text).not.toContain('MfKQ9r8');
      const [row] = await t.ds.query(`SELECT webhook_secret_ciphertext FROM directory_partner WHERE id = $1`, [body.id]);
      expect(row.webhook_secret_ciphertext).not.toContain('MfKQ9r8');
      const seen = await readTopic(t.broker, Topics.directory.name, { until: (s) => s.some((e) => e.key === body.id) });
      const event = seen.find((e) => e.key === body.id)!;
      expect(event.headers.ce_type).toBe('puente.referral.v1.PartnerChanged');
      expect(decodeEvent('puente.referral.v1.PartnerChanged', event.value)).toMatchObject({ partnerId: body.id, label: body.name, node: 'MX', active: true, version: 1 });
      expect(event.value.toString('latin1')).not.toContain('clinica.example.org');
    });

    it('replays a create with the same Idempotency-Key and refuses a duplicate id with 409', async () => {
      const body = newPartner();
      const key = randomUUID();
      const first = await t.call('POST', '/v1/directory/partners', { token: await staff(), body, idempotencyKey: key });
      const again = await t.call('POST', '/v1/directory/partners', { token: await staff(), body, idempotencyKey: key });
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      expectProblem(await t.call('POST', '/v1/directory/partners', { token: await staff(), body }), 409, 'already-exists');
      expectProblem(await t.call('POST', '/v1/directory/partners', { token: await staff(), body: { ...body, id: body.id.toLowerCase() } }), 409, 'already-exists');
    });

    it('refuses bad input with field errors: internal webhook address, webhook without secret, unknown fields, bad id', async () => {
      const internal = expectProblem(await t.call('POST', '/v1/directory/partners', { token: await staff(), body: newPartner({ webhookUrl: 'https://169.254.169.254/latest/meta-data' }) }), 400, 'validation-error');
      expect(problemFields(internal)).toEqual(['webhookUrl']);
      const noSecret = expectProblem(await t.call('POST', '/v1/directory/partners', { token: await staff(), body: newPartner({ webhookSecret: undefined }) }), 400);
      expect(problemFields(noSecret)).toEqual(['webhookSecret']);
      const bad = expectProblem(await t.call('POST', '/v1/directory/partners', { token: await staff(), body: newPartner({ id: 'mx comar', kind: 'church', surprise: 1 }) }), 400);
      expect(problemFields(bad)).toEqual(expect.arrayContaining(['id', 'kind', 'surprise']));
    });

    it('updates need If-Match: missing 428, stale 412, current 200 with a new ETag', async () => {
      const body = newPartner();
      const created = await t.call('POST', '/v1/directory/partners', { token: await staff(), body });
      const etag = created.headers.get('etag')!;
      expectProblem(await t.call('PATCH', `/v1/directory/partners/${body.id}`, { token: await staff(), body: { name: 'Renamed' } }), 428);
      const nulls = expectProblem(await t.call('PATCH', `/v1/directory/partners/${body.id}`, { token: await staff(), body: { name: null, deliveryChannels: null }, headers: { 'if-match': etag } }), 400);
      expect([...new Set(problemFields(nulls))].sort()).toEqual(['deliveryChannels', 'name']);
      const ok = await t.call('PATCH', `/v1/directory/partners/${body.id}`, { token: await staff(), body: { name: 'Renamed', status: 'inactive' }, headers: { 'if-match': etag } });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ name: 'Renamed', status: 'inactive', version: 2 });
      expect(ok.headers.get('etag')).not.toBe(etag);
      expectProblem(await t.call('PATCH', `/v1/directory/partners/${body.id}`, { token: await staff(), body: { name: 'Again' }, headers: { 'if-match': etag } }), 412);
    });

    it('needs the scopes: no directory:read → 403 on reads, no partners:admin → 403 on writes', async () => {
      const readOnly = await t.token({ partnerId: 'GT-MRC-01', scopes: ['directory:read'] });
      const none = await t.token({ partnerId: 'GT-MRC-01', scopes: ['referrals:read'] });
      expectProblem(await t.call('GET', '/v1/directory/programs', { token: none }), 403, 'insufficient-scope');
      expectProblem(await t.call('GET', '/v1/directory/export', { token: none }), 403, 'insufficient-scope');
      expectProblem(await t.call('POST', '/v1/directory/partners', { token: readOnly, body: newPartner() }), 403, 'insufficient-scope');
      expectProblem(await t.call('GET', '/v1/directory/partners', { token: null }), 401);
    });
  });

  describe('another partner', () => {
    it('a partner manages its own programs only, and cannot add partners or agreements', async () => {
      const comar = await partnerToken('MX-COMAR');
      const own = await t.call('GET', `/v1/directory/programs/${seedId('program/comar-asylum')}`, { token: comar });
      const changed = await t.call('PATCH', `/v1/directory/programs/${seedId('program/comar-asylum')}`, { token: comar, body: { waitlist: 12 }, headers: { 'if-match': own.headers.get('etag')! } });
      expect(changed.status).toBe(200);
      expect(changed.body.capacity.waitlist).toBe(12);
      const other = await t.call('GET', `/v1/directory/programs/${seedId('program/us-cam')}`, { token: comar });
      expectProblem(await t.call('PATCH', `/v1/directory/programs/${seedId('program/us-cam')}`, { token: comar, body: { waitlist: 0 }, headers: { 'if-match': other.headers.get('etag')! } }), 403, 'forbidden');
      expectProblem(await t.call('POST', '/v1/directory/programs', { token: comar, body: { partnerId: 'US-PRM', name: 'x', description: 'x', pathway: 'cam', totalSlots: 1, slaAcknowledgeHours: 1, slaDecideHours: 1 } }), 403, 'forbidden');
      expectProblem(await t.call('POST', '/v1/directory/partners', { token: comar, body: newPartner() }), 403, 'forbidden');
      expectProblem(
        await t.call('POST', '/v1/directory/agreements', { token: comar, body: { partnerId: 'MX-COMAR', reference: 'self-signed', purposes: ['referral'], fieldsByPurpose: { referral: ['ageBand'] }, validFrom: '2026-01-01' } }),
        403,
        'forbidden',
      );
    });

    it("a partner sees neither another partner's webhook settings nor its agreements (404 like a missing one)", async () => {
      const body = newPartner();
      await t.call('POST', '/v1/directory/partners', { token: await staff(), body });
      const comar = await partnerToken('MX-COMAR');
      const seen = await t.call('GET', `/v1/directory/partners/${body.id}`, { token: comar });
      expect(seen.status).toBe(200);
      expect(seen.body.delivery.webhookUrl).toBeUndefined();
      expect(seen.body.delivery.webhookSecretSet).toBeUndefined();
      const agreementOfPrm = seedId('agreement/GT/US-PRM');
      const missing = await t.call('GET', `/v1/directory/agreements/${randomUUID()}`, { token: comar });
      const hidden = await t.call('GET', `/v1/directory/agreements/${agreementOfPrm}`, { token: comar });
      expect(hidden.status).toBe(404);
      expect(hidden.body.type).toBe(missing.body.type);
      const mine = await t.call('GET', '/v1/directory/agreements', { token: comar });
      expect(mine.body.items.map((a: any) => a.partnerId)).toEqual(['MX-COMAR']);
      expect((await t.call('GET', `/v1/directory/agreements/${agreementOfPrm}`, { token: await staff() })).body).toMatchObject({ partnerId: 'US-PRM', node: 'GT', purposes: ['referral', 'cross_border_transfer'] });
    });
  });

  describe('programs and agreements', () => {
    it('compiles the eligibility rule on write: 422 with the exact path of each error', async () => {
      const problem = expectProblem(
        await t.call('POST', '/v1/directory/programs', {
          token: await staff(),
          body: { partnerId: 'GT-PMH', name: 'Cash for families', description: 'Multi-purpose cash', pathway: 'cash_assistance', totalSlots: 10, slaAcknowledgeHours: 24, slaDecideHours: 72, eligibilityRule: { and: [{ '==': [{ var: 'sex' }, 'woman'] }, { flag: 'tall' }] } },
        }),
        422,
        'invalid-eligibility-rule',
      );
      expect(problemFields(problem)).toEqual(['eligibilityRule.and[0].==[1]', 'eligibilityRule.and[1].flag']);
    });

    it('creates a program with locations, moves open slots with the total, and never below zero', async () => {
      const [location] = (await t.call('GET', '/v1/directory/locations?partnerId=GT-PMH', { token: await staff() })).body.items;
      const created = await t.call('POST', '/v1/directory/programs', {
        token: await staff(),
        body: {
          partnerId: 'GT-PMH',
          name: 'Cash for families in transit',
          description: 'One-off multi-purpose cash transfer for families in transit.',
          pathway: 'cash_assistance',
          languages: ['es', 'quc'],
          serviceAreas: [{ country: 'GT', subdivisions: ['GT-SM'] }],
          fees: { free: true },
          eligibilityRule: { and: [{ var: 'household' }, { '==': [{ var: 'country' }, 'GT'] }] },
          totalSlots: 10,
          openSlots: 4,
          slaAcknowledgeHours: 24,
          slaDecideHours: 72,
          locationIds: [location.id],
        },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ pathway: 'cash_assistance', capacity: { totalSlots: 10, openSlots: 4, waitlist: 0 }, locationIds: [location.id], hostedHere: true, node: 'GT' });
      const grown = await t.call('PATCH', `/v1/directory/programs/${created.body.id}`, { token: await staff(), body: { totalSlots: 15 }, headers: { 'if-match': created.headers.get('etag')! } });
      expect(grown.body.capacity).toEqual({ totalSlots: 15, openSlots: 9, waitlist: 0 });
      const shrunk = await t.call('PATCH', `/v1/directory/programs/${created.body.id}`, { token: await staff(), body: { totalSlots: 2 }, headers: { 'if-match': grown.headers.get('etag')! } });
      expect(shrunk.body.capacity).toEqual({ totalSlots: 2, openSlots: 0, waitlist: 0 });
      const filtered = await t.call('GET', '/v1/directory/programs?pathway=cash_assistance', { token: await staff() });
      expect(filtered.body.items.map((p: any) => p.id)).toContain(created.body.id);
      expectProblem(await t.call('GET', '/v1/directory/programs?pathway=teleportation', { token: await staff() }), 400);
      expectProblem(await t.call('GET', `/v1/directory/programs/${randomUUID()}`, { token: await staff() }), 404);
    });

    it('records an agreement for this node, narrows it and terminates it', async () => {
      const created = await t.call('POST', '/v1/directory/agreements', {
        token: await staff(),
        body: { partnerId: 'GT-PMH', reference: 'Convenio GT–PMH 2026/03', purposes: ['referral', 'data_sharing'], fieldsByPurpose: { referral: ['ageBand', 'sex'], data_sharing: ['nationality'] }, validFrom: '2026-03-01', validUntil: '2027-02-28' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ node: 'GT', purposes: ['referral', 'data_sharing'], validUntil: '2027-02-28', terminated: false });
      const bad = expectProblem(await t.call('PATCH', `/v1/directory/agreements/${created.body.id}`, { token: await staff(), body: { fieldsByPurpose: { transfer: ['x'] } }, headers: { 'if-match': created.headers.get('etag')! } }), 400);
      expect(problemFields(bad)).toEqual(['fieldsByPurpose.transfer']);
      const ended = await t.call('PATCH', `/v1/directory/agreements/${created.body.id}`, { token: await staff(), body: { terminated: true }, headers: { 'if-match': created.headers.get('etag')! } });
      expect(ended.body).toMatchObject({ terminated: true, version: 2 });
    });
  });

  describe('HSDS export', () => {
    it('exports organizations, services, locations and service_at_locations in HSDS 3.0 shape, without secrets or agreements', async () => {
      const res = await t.call('GET', '/v1/directory/export', { token: await staff() });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ hsds_version: '3.0', publisher: { node: 'GT' } });
      expect(Object.keys(res.body).sort()).toEqual(['generated_at', 'hsds_version', 'locations', 'organizations', 'publisher', 'service_at_locations', 'services']);
      const comar = res.body.organizations.find((o: any) => o.id === 'MX-COMAR');
      expect(comar).toMatchObject({ name: 'Comisión Mexicana de Ayuda a Refugiados', alternate_name: 'COMAR', website: 'https://www.gob.mx/comar', legal_status: 'government_agency' });
      const asylum = res.body.services.find((s: any) => s.id === seedId('program/comar-asylum'));
      expect(asylum).toMatchObject({
        organization_id: 'MX-COMAR',
        status: 'active',
        languages: expect.arrayContaining([{ code: 'es' }]),
        service_areas: [{ name: 'MX', extent_type: 'country', extent: 'MX' }],
        capacities: [expect.objectContaining({ unit: 'slots', maximum: 400 })],
        attributes: expect.arrayContaining([{ taxonomy_term: { code: 'FT-1800.3000', vocabulary: 'open-eligibility' } }, { taxonomy_term: { code: 'asylum', vocabulary: 'puente-pathway' } }]),
      });
      const tapachula = res.body.locations.find((l: any) => l.id === seedId('location/comar-tapachula'));
      expect(tapachula).toMatchObject({ organization_id: 'MX-COMAR', addresses: [expect.objectContaining({ city: 'Tapachula', state_province: 'MX-CHP', country: 'MX' })], schedules: [expect.objectContaining({ freq: 'WEEKLY', byday: 'MO,TU,WE,TH,FR' })] });
      expect(res.body.service_at_locations).toEqual(expect.arrayContaining([expect.objectContaining({ service_id: asylum.id, location_id: tapachula.id })]));
      expect(res.text).not.toMatch(/whsec_|webhook|fields_by_purpose|cross_border_transfer/);
    });
  });
});
