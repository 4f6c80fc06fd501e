import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@puente/platform';
import { DataSource } from 'typeorm';
import type { AuditRecordJson } from '../canonical';
import { MISSING_ID, personsAppModule, SECRET_NAME, SPEC_SERVICE } from '../spec/persons.fixture';
import { CANONICAL_COLUMNS } from '../sql';
import { verifyChain } from '../verify';

const PERSON = '5f0c1d2e-8a9b-4c7d-b6e5-f4a3b2c1d0e9';
let counter = 0;

describe('@Audited over real HTTP (Fastify + PostgreSQL)', () => {
  let app: NestFastifyApplication;
  let base: string;
  let ds: DataSource;

  beforeAll(async () => {
    app = await createServiceApp({
      service: SPEC_SERVICE,
      module: personsAppModule(),
      title: 'Audit spec service',
      description: 'Persons endpoints used to test the audit interceptor',
      shutdownHooks: false,
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    ds = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
  });

  /** Sends a request with a fresh request id and returns the response and the records it produced. */
  async function call(path: string, init: RequestInit & { partner?: string | null; purpose?: string } = {}) {
    const requestId = `spec-${process.pid}-${++counter}`;
    const headers: Record<string, string> = { 'x-request-id': requestId, ...(init.headers as Record<string, string>) };
    if (init.partner !== null) headers['x-test-partner'] = init.partner ?? 'unhcr-gt';
    if (init.purpose !== undefined) headers['x-purpose'] = init.purpose;
    if (init.body) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}`, { ...init, headers });
    const text = await response.text();
    const records = (await ds.query(`SELECT ${CANONICAL_COLUMNS} FROM audit_record WHERE request_id = $1 ORDER BY audit_record.seq`, [
      requestId,
    ])) as AuditRecordJson[];
    return { response, text, records, requestId };
  }

  it('records a successful read with actor, object, purpose, request id and trace', async () => {
    const { response, text, records, requestId } = await call(`/v1/persons/${PERSON}`);
    expect(response.status).toBe(200);
    expect(text).toContain(SECRET_NAME); // the handler did return personal data...
    expect(records).toHaveLength(1); // ...and that read is on the record
    expect(records[0]).toMatchObject({
      service: SPEC_SERVICE,
      node: 'GT',
      actor_subject: 'sub-unhcr-gt',
      actor_client_id: 'client-unhcr-gt',
      actor_partner_id: 'unhcr-gt',
      action: 'person.read',
      object_type: 'person',
      object_id: PERSON,
      purpose: 'case-management',
      outcome: 'success',
      request_id: requestId,
      traceparent: response.headers.get('traceparent'),
    });
  });

  it('records a 404 as denied', async () => {
    const { response, records } = await call(`/v1/persons/${MISSING_ID}`);
    expect(response.status).toBe(404);
    expect(records).toEqual([expect.objectContaining({ action: 'person.read', object_id: MISSING_ID, outcome: 'denied' })]);
  });

  it('records a 403 as denied and a permitted read as success, with the id from a named parameter', async () => {
    const denied = await call('/v1/cases/GT-2025-000123');
    expect(denied.response.status).toBe(403);
    expect(denied.records).toEqual([
      expect.objectContaining({ action: 'case.read', object_type: 'case', object_id: 'GT-2025-000123', purpose: 'referral', outcome: 'denied', actor_partner_id: 'unhcr-gt' }),
    ]);
    const allowed = await call('/v1/cases/GT-2025-000123', { partner: 'iom-gt' });
    expect(allowed.response.status).toBe(200);
    expect(allowed.records).toEqual([expect.objectContaining({ outcome: 'success', actor_partner_id: 'iom-gt' })]);
  });

  it('records a 500 as error although the handler transaction (with its own append) rolled back', async () => {
    const { response, text, records } = await call(`/v1/persons/${PERSON}/boom`);
    expect(response.status).toBe(500);
    expect(text).not.toContain(SECRET_NAME);
    // Only the interceptor's record survived: the handler's in-transaction append was rolled back.
    expect(records).toEqual([expect.objectContaining({ action: 'person.read', object_id: PERSON, purpose: 'case-management', outcome: 'error' })]);
  });

  it('takes the purpose from X-Purpose and never stores body values', async () => {
    const body = JSON.stringify({ name: SECRET_NAME });
    const { response, records } = await call(`/v1/persons/${PERSON}`, { method: 'PATCH', body, purpose: 'Referral' });
    expect(response.status).toBe(200);
    expect(records).toEqual([expect.objectContaining({ action: 'person.update', object_id: PERSON, purpose: 'referral', outcome: 'success' })]);
  });

  it.each([
    ['without X-Purpose', undefined],
    ['with a purpose that is not allowed', 'marketing'],
  ])('refuses a change %s (400 purpose-required), and records it as denied', async (_what, purpose) => {
    const body = JSON.stringify({ name: SECRET_NAME });
    const { response, text, records } = await call(`/v1/persons/${PERSON}`, { method: 'PATCH', body, purpose });
    expect(response.status).toBe(400);
    const problem = JSON.parse(text) as { type: string; allowedPurposes: string[] };
    expect(problem.type).toBe('https://puente.dev/problems/purpose-required');
    expect(problem.allowedPurposes).toContain('case-management');
    expect(text).not.toContain('marketing');
    expect(records).toEqual([expect.objectContaining({ action: 'person.update', object_id: PERSON, purpose: null, outcome: 'denied' })]);
  });

  it('records a rejected body (validation 400) as error', async () => {
    const body = JSON.stringify({ name: SECRET_NAME, nationality: 'GT' });
    const { response, records } = await call(`/v1/persons/${PERSON}`, { method: 'PATCH', body, purpose: 'referral' });
    expect(response.status).toBe(400);
    expect(records).toEqual([expect.objectContaining({ action: 'person.update', outcome: 'error' })]);
  });

  it('takes the object id of a create from the result', async () => {
    const { response, text, records } = await call('/v1/persons', { method: 'POST', body: JSON.stringify({ name: SECRET_NAME }) });
    expect(response.status).toBe(201);
    const { id } = JSON.parse(text) as { id: string };
    expect(records).toEqual([expect.objectContaining({ action: 'person.create', object_id: id, purpose: 'screening', outcome: 'success' })]);
  });

  it('records a call without principal with null actor fields', async () => {
    const { records } = await call(`/v1/persons/${PERSON}`, { partner: null });
    expect(records).toEqual([expect.objectContaining({ actor_subject: null, actor_client_id: null, actor_partner_id: null, outcome: 'success' })]);
  });

  it('does not store a route parameter that is not an identifier (e.g. a name in the URL)', async () => {
    const { response, records } = await call(`/v1/persons/${encodeURIComponent(SECRET_NAME)}`);
    expect(response.status).toBe(404);
    expect(records).toEqual([expect.objectContaining({ object_id: null, outcome: 'denied' })]);
  });

  it('commits a service-written record atomically with the change, or not at all', async () => {
    const ok = await call(`/v1/persons/${PERSON}/erase`, { method: 'POST' });
    expect(ok.response.status).toBe(201);
    expect(ok.records).toEqual([expect.objectContaining({ action: 'person.erase', purpose: 'erasure', outcome: 'success', actor_partner_id: 'unhcr-gt' })]);
    const failed = await call(`/v1/persons/${PERSON}/erase?fail=1`, { method: 'POST' });
    expect(failed.response.status).toBe(409);
    expect(failed.records).toEqual([]);
    const [{ count }] = (await ds.query('SELECT count(*)::int AS count FROM spec_erasure')) as { count: number }[];
    expect(count).toBe(1);
  });

  it('documents X-Purpose in OpenAPI only where the endpoint does not fix the purpose', async () => {
    const doc = (await (await fetch(`${base}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const headerOf = (path: string, method: string) =>
      (doc.paths[path][method].parameters ?? []).some((p) => p.in === 'header' && p.name.toLowerCase() === 'x-purpose');
    expect(headerOf('/v1/persons/{id}', 'patch')).toBe(true);
    expect(headerOf('/v1/persons/{id}', 'get')).toBe(false);
  });

  it('fails closed: no data is returned when the record cannot be written', async () => {
    await ds.query(`CREATE TRIGGER spec_block_insert BEFORE INSERT ON audit_record FOR EACH ROW EXECUTE FUNCTION audit_record_reject_change()`);
    try {
      const { response, text, records } = await call(`/v1/persons/${PERSON}`);
      expect(response.status).toBe(500);
      expect(text).not.toContain(SECRET_NAME);
      expect(records).toEqual([]);
    } finally {
      await ds.query('DROP TRIGGER spec_block_insert ON audit_record');
    }
  });

  it('leaves no personal data anywhere in the table, and a verifiable chain', async () => {
    const rows = await ds.query('SELECT * FROM audit_record');
    expect(rows.length).toBe(13); // one per call above, none for the rolled-back or refused-to-write ones
    expect(JSON.stringify(rows)).not.toContain(SECRET_NAME);
    expect(JSON.stringify(rows)).not.toContain('Quetzalina');
    expect(await verifyChain(ds)).toMatchObject({ ok: true, count: rows.length });
  });
});
