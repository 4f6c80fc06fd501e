import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture } from '../observability/log-capture';
import { startConventionsApp, TEST_CLIENT_HEADER } from '../spec/conventions.fixture';
import { startTcpProxy, type TcpProxy } from '../spec/tcp-proxy';
import { eventually } from '../testing/eventually';

const SERVER = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');

describe('database failures under a running service (real PostgreSQL, behind a real TCP proxy)', () => {
  let proxy: TcpProxy;
  let app: NestFastifyApplication;
  let base: string;
  const logs = new LogCapture();
  const saved = { DATABASE_URL: process.env.DATABASE_URL, LOG_LEVEL: process.env.LOG_LEVEL };
  const headers = { [TEST_CLIENT_HEADER]: 'outage', 'content-type': 'application/json' };
  const secret = 'Ximena Quispe Mamani';

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: SERVER.hostname, port: Number(SERVER.port || 5432) });
    const viaProxy = new URL(SERVER.toString());
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    process.env.DATABASE_URL = viaProxy.toString();
    process.env.LOG_LEVEL = 'info';
    try {
      ({ app, base } = await startConventionsApp({ logDestination: logs }));
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  afterAll(async () => {
    await proxy?.restore().catch(() => undefined);
    await app?.close();
    await proxy?.close();
  });

  it('answers 503 problem+json with Retry-After while it cannot reach PostgreSQL, writes nothing, logs no data, and a retry with the same key creates once', async () => {
    const tag = `outage-${randomUUID().slice(0, 8)}`;
    const key = randomUUID();
    const body = JSON.stringify({ name: secret, tag });
    expect((await fetch(`${base}/v1/things?tag=${tag}`, { headers })).status).toBe(200);

    await proxy.cut();
    const create = await fetch(`${base}/v1/things`, { method: 'POST', headers: { ...headers, 'idempotency-key': key }, body });
    expect(create.status).toBe(503);
    expect(create.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(create.headers.get('retry-after')).toBe('5');
    const problem = (await create.json()) as { type: string; status: number; detail: string; requestId: string };
    expect(problem).toMatchObject({ type: 'https://puente.dev/problems/service-unavailable', status: 503 });
    expect(problem.detail).toContain('Idempotency-Key');
    const list = await fetch(`${base}/v1/things?tag=${tag}`, { headers });
    expect(list.status).toBe(503);
    expect((await fetch(`${base}/health/ready`)).status).toBe(503);
    expect((await fetch(`${base}/health/serving`)).status).toBe(503);
    expect(logs.text).not.toContain(secret);
    const logged = logs.records().find((r) => r.requestId === problem.requestId && r.msg === 'Request failed with an unexpected error');
    expect(logged).toMatchObject({ level: 'error', status: 503, err: { code: expect.stringMatching(/^(ECONNREFUSED|ECONNRESET|EPIPE)$/) } });

    await proxy.restore();
    // The pool may hand out one more dead connection before it notices; a client retries on 503.
    const retried = await eventually('a retry to get past the 503', async () => {
      const r = await fetch(`${base}/v1/things`, { method: 'POST', headers: { ...headers, 'idempotency-key': key }, body });
      return r.status === 503 ? undefined : r;
    }, 10_000, 200);
    expect(retried.status).toBe(201);
    const again = await fetch(`${base}/v1/things`, { method: 'POST', headers: { ...headers, 'idempotency-key': key }, body });
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(await retried.json());
    const listed = (await (await fetch(`${base}/v1/things?tag=${tag}`, { headers })).json()) as { items: unknown[] };
    expect(listed.items).toHaveLength(1);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });

  it('answers a race the handler did not name as 409 conflict, and a serialization failure as 503 with Retry-After; nothing written either way', async () => {
    const tag = `race-${randomUUID().slice(0, 8)}`;
    const body = JSON.stringify({ name: secret, tag });
    const clash = await fetch(`${base}/v1/things/clash`, { method: 'POST', headers, body });
    expect(clash.status).toBe(409);
    expect(await clash.json()).toMatchObject({ type: 'https://puente.dev/problems/conflict', status: 409 });
    const contended = await fetch(`${base}/v1/things/contended`, { method: 'POST', headers, body });
    expect(contended.status).toBe(503);
    expect(contended.headers.get('retry-after')).toBe('1');
    const listed = (await (await fetch(`${base}/v1/things?tag=${tag}`, { headers })).json()) as { items: unknown[] };
    expect(listed.items).toEqual([]);
    expect(logs.text).not.toContain(secret);
    const logged = logs.records().filter((r) => r.msg === 'Request failed with an unexpected error' && (r.route === '/v1/things/clash' || r.route === '/v1/things/contended'));
    expect(logged.map((r) => (r.err as { code: string }).code).sort()).toEqual(['23505', '40001']);
  });
});
