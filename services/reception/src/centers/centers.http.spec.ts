import { expectProblem, type ReceptionTestApp, startReception } from '../testing/harness';

describe('reception centers (real HTTP and PostgreSQL)', () => {
  let t: ReceptionTestApp;

  beforeAll(async () => {
    t = await startReception('centers');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('starts with the region’s centers of return seeded', async () => {
    const gt = await t.call('GET', '/v1/centers?country=GT');
    expect(gt.status).toBe(200);
    expect(gt.body.items.map((c: { code: string }) => c.code)).toEqual(['GT-CRM-01', 'GT-CRM-TECUN']);
    const all = await t.call('GET', '/v1/centers?limit=200');
    expect(all.body.items.map((c: { code: string }) => c.code)).toEqual(expect.arrayContaining(['HN-CAMR-SAP', 'SV-CAIM-CHACRA', 'GT-CRM-TECUN']));
    const aurora = await t.call('GET', '/v1/centers/GT-CRM-01');
    expect(aurora.body).toMatchObject({ country: 'GT', kind: 'airport', operatingPartnerId: 'GT-IGM', active: true, version: 1 });
    expect(aurora.body.services).toContain('child_protection_handover');
    expect(aurora.headers.get('etag')).toBeTruthy();
  });

  it('registers a center once per Idempotency-Key, corrects it under If-Match and pages by cursor', async () => {
    const body = {
      code: 'GT-CRM-PETEN',
      name: 'Centro de Recepción El Ceibo',
      kind: 'land_border',
      location: 'La Libertad, Petén (El Ceibo)',
      dailyCapacity: 80,
      services: ['interview', 'meal', 'transport_home'],
      operatingPartnerId: 'GT-IGM',
    };
    const created = await t.call('POST', '/v1/centers', { body, idempotencyKey: 'peten-1' });
    expect(created.status).toBe(201);
    const again = await t.call('POST', '/v1/centers', { body, idempotencyKey: 'peten-1' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expectProblem(await t.call('POST', '/v1/centers', { body }), 409, 'already-exists');

    const etag = created.headers.get('etag') as string;
    expectProblem(await t.call('PATCH', '/v1/centers/GT-CRM-PETEN', { body: { dailyCapacity: 90 } }), 428);
    const patched = await t.call('PATCH', '/v1/centers/GT-CRM-PETEN', { body: { dailyCapacity: 90 }, headers: { 'if-match': etag } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ dailyCapacity: 90, version: 2 });
    expectProblem(await t.call('PATCH', '/v1/centers/GT-CRM-PETEN', { body: { dailyCapacity: 95 }, headers: { 'if-match': etag } }), 412);

    const first = await t.call('GET', '/v1/centers?country=GT&limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await t.call('GET', `/v1/centers?country=GT&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items.map((c: { code: string }) => c.code)).toEqual(['GT-CRM-TECUN']);
  });

  it('refuses bad centers with field errors, other jurisdictions and callers without centers:admin', async () => {
    const bad = await t.call('POST', '/v1/centers', { body: { code: 'gt-x', name: ' ', kind: 'port', location: 'x', dailyCapacity: 0, services: ['massage'], operatingPartnerId: 'IGM' } });
    const fields = expectProblem(bad, 400).errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['code', 'name', 'kind', 'dailyCapacity', 'services']));
    const hn = { code: 'HN-CAMR-TGU', name: 'CAMR Toncontín', kind: 'airport', location: 'Tegucigalpa', dailyCapacity: 100, services: ['meal'], operatingPartnerId: 'HN-SRECI' };
    expect((await t.call('POST', '/v1/centers', { body: hn })).status).toBe(403);
    const desk = await t.token({ scopes: ['arrivals:read'] });
    expect((await t.call('POST', '/v1/centers', { body: hn, token: desk })).status).toBe(403);
    expectProblem(await t.call('GET', '/v1/centers/GT-NOPE'), 404);
  });
});
