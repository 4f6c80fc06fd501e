import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { PROBLEM_TYPE_BASE } from '../../http/problem';
import { startConventionsApp, TEST_CLIENT_HEADER } from '../../spec/conventions.fixture';

describe('ETag / If-Match / If-None-Match (real HTTP + PostgreSQL)', () => {
  let app: NestFastifyApplication;
  let base: string;
  let db: DataSource;

  beforeAll(async () => {
    ({ app, base } = await startConventionsApp());
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
  });

  const headers = (extra: Record<string, string> = {}) => ({ [TEST_CLIENT_HEADER]: 'editor', ...extra });

  const createThing = async (): Promise<string> => {
    const res = await fetch(`${base}/v1/things`, {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json', 'idempotency-key': randomUUID() }),
      body: JSON.stringify({ name: 'Original', tag: randomUUID() }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  const get = (id: string, extra: Record<string, string> = {}) => fetch(`${base}/v1/things/${id}`, { headers: headers(extra) });

  const patch = (id: string, name: string, extra: Record<string, string> = {}) =>
    fetch(`${base}/v1/things/${id}`, {
      method: 'PATCH',
      headers: headers({ 'content-type': 'application/json', ...extra }),
      body: JSON.stringify({ name }),
    });

  it('GET returns a strong ETag and answers a matching If-None-Match with 304', async () => {
    const id = await createThing();
    const res = await get(id);
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag') as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect((await get(id)).headers.get('etag')).toBe(etag);

    const notModified = await get(id, { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(await notModified.text()).toBe('');
    expect(notModified.headers.get('content-type')).toBeNull();
    // HEAD answers as GET does, without a body.
    const head = await fetch(`${base}/v1/things/${id}`, { method: 'HEAD', headers: headers() });
    expect([head.status, head.headers.get('etag')]).toEqual([200, etag]);
    const headNotModified = await fetch(`${base}/v1/things/${id}`, { method: 'HEAD', headers: headers({ 'if-none-match': etag }) });
    expect([headNotModified.status, headNotModified.headers.get('etag')]).toEqual([304, etag]);
    expect((await get(id, { 'if-none-match': `W/${etag}` })).status).toBe(304);
    expect((await get(id, { 'if-none-match': '"something-else"' })).status).toBe(200);
  });

  it('PATCH without If-Match is 428, with a stale one 412, with the current one 200 and a new ETag', async () => {
    const id = await createThing();
    const etag = (await get(id)).headers.get('etag') as string;

    const missing = await patch(id, 'No precondition');
    expect(missing.status).toBe(428);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await missing.json()).toMatchObject({ type: `${PROBLEM_TYPE_BASE}precondition-required`, status: 428 });

    const fresh = await patch(id, 'Renamed', { 'if-match': etag });
    expect(fresh.status).toBe(200);
    const newEtag = fresh.headers.get('etag') as string;
    expect(newEtag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(newEtag).not.toBe(etag);
    expect(await fresh.json()).toMatchObject({ id, name: 'Renamed', version: 2 });
    expect((await get(id)).headers.get('etag')).toBe(newEtag);

    const stale = await patch(id, 'Lost update', { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ type: `${PROBLEM_TYPE_BASE}precondition-failed`, status: 412 });
    const [row] = await db.query('SELECT name, version FROM spec_thing WHERE id = $1', [id]);
    expect(row).toEqual({ name: 'Renamed', version: 2 });

    expect((await get(id, { 'if-none-match': etag })).status).toBe(200);
    expect((await patch(id, 'Any', { 'if-match': 'not-an-etag' })).status).toBe(400);
    expect((await patch(randomUUID(), 'Gone', { 'if-match': newEtag })).status).toBe(412);
  });

  it('two concurrent PATCHes with the same If-Match: exactly one 200, the other 412', async () => {
    const id = await createThing();
    const etag = (await get(id)).headers.get('etag') as string;
    // Both requests pass the If-Match check before either writes (the barrier makes them meet),
    // so only the conditional UPDATE on the version can stop the second writer.
    const barrier = randomUUID();
    const results = await Promise.all(
      ['Writer A', 'Writer B'].map((name) => patch(id, name, { 'if-match': etag, 'x-test-barrier': barrier })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412]);
    const winner = results.find((r) => r.status === 200) as Response;
    const { name } = (await winner.json()) as { name: string };
    const [row] = await db.query('SELECT name, version FROM spec_thing WHERE id = $1', [id]);
    expect(row).toEqual({ name, version: 2 });
  });
});
