import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { PROBLEM_TYPE_BASE } from '../../http/problem';
import { eventually } from '../../testing/eventually';
import { startConventionsApp, TEST_CLIENT_HEADER, ThingsController } from '../../spec/conventions.fixture';
import { IdempotencyPruner } from './idempotency.pruner';
import { IdempotencyStore } from './idempotency.store';

describe('Idempotency-Key on creating POSTs (real HTTP + PostgreSQL)', () => {
  let app: NestFastifyApplication;
  let base: string;
  let db: DataSource;
  let controller: ThingsController;

  beforeAll(async () => {
    ({ app, base } = await startConventionsApp());
    db = app.get(DataSource);
    controller = app.get(ThingsController);
  });

  afterAll(async () => {
    await app?.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TEST_CLIENT_HEADER]: 'client-a', ...headers },
      body: JSON.stringify(body),
    });

  const thingsWithTag = async (tag: string): Promise<number> =>
    Number((await db.query('SELECT count(*)::int AS n FROM spec_thing WHERE tag = $1', [tag]))[0].n);

  const records = async (clientId: string, key: string): Promise<{ status: string; response_status: number | null }[]> =>
    db.query('SELECT status, response_status FROM idempotency_record WHERE client_id = $1 AND idempotency_key = $2', [clientId, key]);

  const unique = () => randomUUID();

  it('creates once (201 + Location) and replays the same response with Idempotent-Replayed', async () => {
    const tag = unique();
    const key = unique();
    const first = await post('/v1/things', { name: 'Alpha', tag }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const location = first.headers.get('location');
    const body = await first.text();
    const created = JSON.parse(body) as { id: string; name: string };
    expect(location).toBe(`/v1/things/${created.id}`);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const replay = await post('/v1/things', { tag, name: 'Alpha' }, { 'idempotency-key': key });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(location);
    expect(replay.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await replay.text()).toBe(body);
    expect(await thingsWithTag(tag)).toBe(1);
    expect(controller.executions.get(tag)).toBe(1);
    expect(await records('client-a', key)).toEqual([{ status: 'completed', response_status: 201 }]);
  });

  it('answers 422 idempotency-key-reused for the same key with another body', async () => {
    const tag = unique();
    const key = unique();
    expect((await post('/v1/things', { name: 'One', tag }, { 'idempotency-key': key })).status).toBe(201);
    const reused = await post('/v1/things', { name: 'Two', tag }, { 'idempotency-key': key });
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await reused.json()).toMatchObject({ type: `${PROBLEM_TYPE_BASE}idempotency-key-reused`, status: 422 });
    expect(await thingsWithTag(tag)).toBe(1);
  });

  it('answers 428 idempotency-key-required without a key, and 400 for a malformed key', async () => {
    const tag = unique();
    const missing = await post('/v1/things', { name: 'x', tag });
    expect(missing.status).toBe(428);
    expect(await missing.json()).toMatchObject({ type: `${PROBLEM_TYPE_BASE}idempotency-key-required`, status: 428 });

    for (const bad of ['has space', 'k'.repeat(256), 'caf\u00e9']) {
      const res = await post('/v1/things', { name: 'x', tag }, { 'idempotency-key': bad });
      expect([bad.length, res.status]).toEqual([bad.length, 400]);
      // 'café' goes out as latin1 (not UTF-8): refused by the platform's encoding check, same field.
      expect(((await res.json()) as { errors: unknown }).errors).toEqual([expect.objectContaining({ field: expect.stringMatching(/^idempotency-key$/i) })]);
    }
    expect((await post('/v1/things', { name: 'x', tag }, { 'idempotency-key': 'k'.repeat(255) })).status).toBe(201);
    expect(await thingsWithTag(tag)).toBe(1);
  });

  it('runs without protection when the key is optional and absent, and protects when present', async () => {
    const tag = unique();
    expect((await post('/v1/things/optional', { name: 'x', tag })).status).toBe(201);
    expect((await post('/v1/things/optional', { name: 'x', tag })).status).toBe(201);
    expect(await thingsWithTag(tag)).toBe(2);
    const key = unique();
    await post('/v1/things/optional', { name: 'x', tag }, { 'idempotency-key': key });
    const replay = await post('/v1/things/optional', { name: 'x', tag }, { 'idempotency-key': key });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await thingsWithTag(tag)).toBe(3);
  });

  it('20 concurrent identical requests create exactly one row and get identical responses', async () => {
    const tag = unique();
    const key = unique();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post('/v1/things', { name: 'Concurrent', tag, slowMs: 300 }, { 'idempotency-key': key })),
    );
    const results = await Promise.all(
      responses.map(async (r) => ({ status: r.status, location: r.headers.get('location'), body: await r.text(), replayed: r.headers.get('idempotent-replayed') })),
    );
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(results.map((r) => r.body)).size).toBe(1);
    expect(new Set(results.map((r) => r.location)).size).toBe(1);
    expect(results.filter((r) => r.replayed === 'true')).toHaveLength(19);
    expect(await thingsWithTag(tag)).toBe(1);
    expect(controller.executions.get(tag)).toBe(1);
    expect(await records('client-a', key)).toHaveLength(1);
  });

  it('scopes keys per client: the same key from two clients creates two things', async () => {
    const tag = unique();
    const key = unique();
    const a = await post('/v1/things', { name: 'Same', tag }, { 'idempotency-key': key, [TEST_CLIENT_HEADER]: 'client-a' });
    const b = await post('/v1/things', { name: 'Same', tag }, { 'idempotency-key': key, [TEST_CLIENT_HEADER]: 'client-b' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    const ids = [(await a.json()) as { id: string }, (await b.json()) as { id: string }].map((t) => t.id);
    expect(ids[0]).not.toBe(ids[1]);
    expect(await thingsWithTag(tag)).toBe(2);
    // and per route: the same key on another route is another key
    const other = await post('/v1/things/optional', { name: 'Same', tag }, { 'idempotency-key': key });
    expect(other.status).toBe(201);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
  });

  it('releases the key after a 5xx so a retry with the same key runs', async () => {
    const tag = unique();
    const key = unique();
    const failed = await post('/v1/things/flaky', { name: 'Flaky', tag }, { 'idempotency-key': key });
    expect(failed.status).toBe(500);
    expect(await records('client-a', key)).toEqual([]);
    const retried = await post('/v1/things/flaky', { name: 'Flaky', tag }, { 'idempotency-key': key });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    const replay = await post('/v1/things/flaky', { name: 'Flaky', tag }, { 'idempotency-key': key });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await thingsWithTag(tag)).toBe(1);
  });

  it('stores and replays a 4xx answer without running the handler again', async () => {
    const tag = unique();
    const key = unique();
    const first = await post('/v1/things/rejected', { name: 'No', tag }, { 'idempotency-key': key, 'x-request-id': 'rej-1' });
    expect(first.status).toBe(409);
    const problem = (await first.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ type: `${PROBLEM_TYPE_BASE}thing-conflict`, attempt: 1, requestId: 'rej-1' });
    const replay = await post('/v1/things/rejected', { name: 'No', tag }, { 'idempotency-key': key, 'x-request-id': 'rej-2' });
    expect(replay.status).toBe(409);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const replayed = await replay.json();
    expect(replayed).toEqual({ ...problem, requestId: 'rej-2' });
    expect(controller.executions.get(tag)).toBe(1);
  });

  it('does not store a request-validation 400: the corrected request with the same key runs', async () => {
    const tag = unique();
    const key = unique();
    const invalid = await post('/v1/things', { name: 'x', tag, unknown: true }, { 'idempotency-key': key });
    expect(invalid.status).toBe(400);
    const fixed = await post('/v1/things', { name: 'x', tag }, { 'idempotency-key': key });
    expect(fixed.status).toBe(201);
    expect(await thingsWithTag(tag)).toBe(1);
  });

  it('makes a duplicate wait for the in-flight first request, or answers 409 with Retry-After when it takes too long', async () => {
    const tag = unique();
    const key = unique();
    const slow = post('/v1/things/impatient', { name: 'Slow', tag, slowMs: 1500 }, { 'idempotency-key': key });
    await eventually('the first request to claim the key', async () => (await records('client-a', key)).length > 0, 10_000, 20);
    const duplicate = await post('/v1/things/impatient', { name: 'Slow', tag, slowMs: 1500 }, { 'idempotency-key': key });
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get('retry-after')).toBe('1');
    expect(await duplicate.json()).toMatchObject({ type: `${PROBLEM_TYPE_BASE}idempotency-request-in-progress` });
    expect((await slow).status).toBe(201);
    const after = await post('/v1/things/impatient', { name: 'Slow', tag, slowMs: 1500 }, { 'idempotency-key': key });
    expect(after.headers.get('idempotent-replayed')).toBe('true');
    expect(await thingsWithTag(tag)).toBe(1);
  });

  it('answers 422 to a different body even while the first request is in flight', async () => {
    const tag = unique();
    const key = unique();
    const slow = post('/v1/things', { name: 'First', tag, slowMs: 800 }, { 'idempotency-key': key });
    await eventually('the first request to claim the key', async () => (await records('client-a', key)).length > 0, 10_000, 20);
    const other = await post('/v1/things', { name: 'Second', tag }, { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect((await slow).status).toBe(201);
  });

  it('takes over an abandoned in-progress claim and an expired record', async () => {
    const tag = unique();
    const abandoned = unique();
    const body = { name: 'Recovered', tag };
    const { idempotencyFingerprint } = await import('./idempotency.interceptor');
    const hash = idempotencyFingerprint({ body, params: {}, query: {} });
    await db.query(
      `INSERT INTO idempotency_record (client_id, route_key, idempotency_key, request_hash, status, lock_token, locked_until, expires_at)
       VALUES ('client-a', 'POST /v1/things', $1, $2, 'in_progress', gen_random_uuid(), now() - interval '1 second', now() + interval '1 day')`,
      [abandoned, hash],
    );
    const recovered = await post('/v1/things', body, { 'idempotency-key': abandoned });
    expect(recovered.status).toBe(201);
    expect(recovered.headers.get('idempotent-replayed')).toBeNull();

    const expired = unique();
    await db.query(
      `INSERT INTO idempotency_record (client_id, route_key, idempotency_key, request_hash, status, response_status, response_body, created_at, expires_at)
       VALUES ('client-a', 'POST /v1/things', $1, $2, 'completed', 201, '{"stale":true}', now() - interval '2 days', now() - interval '1 day')`,
      [expired, 'f'.repeat(64)],
    );
    const fresh = await post('/v1/things', body, { 'idempotency-key': expired });
    expect(fresh.status).toBe(201);
    expect(await fresh.json()).toMatchObject({ name: 'Recovered', tag });
    expect(await thingsWithTag(tag)).toBe(2);
  });

  it('prunes expired records', async () => {
    const key = unique();
    await db.query(
      `INSERT INTO idempotency_record (client_id, route_key, idempotency_key, request_hash, status, response_status, created_at, expires_at)
       VALUES ('client-prune', 'POST /v1/things', $1, $2, 'completed', 201, now() - interval '2 days', now() - interval '1 second')`,
      [key, 'e'.repeat(64)],
    );
    const live = unique();
    await post('/v1/things', { name: 'Live', tag: unique() }, { 'idempotency-key': live });
    const pruned = await app.get(IdempotencyStore).pruneExpired();
    expect(pruned).toBeGreaterThanOrEqual(1);
    expect(await records('client-prune', key)).toEqual([]);
    expect(await records('client-a', live)).toHaveLength(1);

    // the scheduled pruner does the same
    const again = unique();
    await db.query(
      `INSERT INTO idempotency_record (client_id, route_key, idempotency_key, request_hash, status, response_status, created_at, expires_at)
       VALUES ('client-prune', 'POST /v1/things', $1, $2, 'completed', 201, now() - interval '2 days', now() - interval '1 second')`,
      [again, 'e'.repeat(64)],
    );
    await app.get(IdempotencyPruner).pruneOnce();
    expect(await records('client-prune', again)).toEqual([]);
    expect(await records('client-a', live)).toHaveLength(1);
  });

  it('answers 401 when there is no authenticated client', async () => {
    const res = await fetch(`${base}/v1/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': unique() },
      body: JSON.stringify({ name: 'Anon', tag: unique() }),
    });
    expect(res.status).toBe(401);
  });
});
