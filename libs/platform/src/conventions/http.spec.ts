import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogCapture } from '../observability/log-capture';
import { startConventionsApp, TEST_CLIENT_HEADER } from '../spec/conventions.fixture';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

describe('cross-cutting HTTP conventions on every response (real HTTP)', () => {
  let app: NestFastifyApplication;
  let base: string;
  const capture = new LogCapture();
  const previousLevel = process.env.LOG_LEVEL;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'info';
    ({ app, base } = await startConventionsApp({ logDestination: capture }));
  });

  afterAll(async () => {
    await app?.close();
    if (previousLevel === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = previousLevel;
  });

  const client = { [TEST_CLIENT_HEADER]: 'tracer' };
  const json = { 'content-type': 'application/json' };

  it('sets x-request-id, traceparent and the helmet headers on successes, errors and replays', async () => {
    const key = randomUUID();
    const create = () =>
      fetch(`${base}/v1/things`, {
        method: 'POST',
        headers: { ...client, ...json, 'idempotency-key': key },
        body: JSON.stringify({ name: 'n', tag: 'trace' }),
      });
    const created = await create();
    const { id } = (await created.json()) as { id: string };
    const etag = (await fetch(`${base}/v1/things/${id}`, { headers: client })).headers.get('etag') as string;

    const cases: [string, () => Promise<Response>, number][] = [
      ['201 create', async () => created, 201],
      ['201 replay', create, 201],
      ['200 get', () => fetch(`${base}/v1/things/${id}`, { headers: client }), 200],
      ['304 not modified', () => fetch(`${base}/v1/things/${id}`, { headers: { ...client, 'if-none-match': etag } }), 304],
      ['428 no If-Match', () => fetch(`${base}/v1/things/${id}`, { method: 'PATCH', headers: { ...client, ...json }, body: '{"name":"x"}' }), 428],
      ['412 stale', () => fetch(`${base}/v1/things/${id}`, { method: 'PATCH', headers: { ...client, ...json, 'if-match': '"old"' }, body: '{"name":"x"}' }), 412],
      ['428 no key', () => fetch(`${base}/v1/things`, { method: 'POST', headers: { ...client, ...json }, body: '{}' }), 428],
      ['400 cursor', () => fetch(`${base}/v1/things?tag=t&cursor=zzz`, { headers: client }), 400],
      ['404 route', () => fetch(`${base}/v1/nothing-here`, { headers: client }), 404],
      ['400 bad URL', () => fetch(`${base}/v1/things/%E0%A4%A`, { headers: client }), 400],
      ['415 media type', () => fetch(`${base}/v1/things`, { method: 'POST', headers: { ...client, 'content-type': 'text/plain' }, body: 'x' }), 415],
      ['200 health', () => fetch(`${base}/health/live`), 200],
    ];
    for (const [label, send, status] of cases) {
      const res = await send();
      const seen = {
        label,
        status: res.status,
        requestId: res.headers.get('x-request-id'),
        traceparent: res.headers.get('traceparent'),
        nosniff: res.headers.get('x-content-type-options'),
        csp: res.headers.get('content-security-policy'),
        frame: res.headers.get('x-frame-options'),
      };
      expect(seen).toEqual({
        label,
        status,
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        traceparent: expect.stringMatching(TRACEPARENT),
        nosniff: 'nosniff',
        csp: expect.stringContaining("default-src 'self'"),
        frame: 'SAMEORIGIN',
      });
      await res.arrayBuffer().catch(() => undefined);
    }
  });

  it('puts requestId and traceId on request logs and on log lines written by handlers', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${base}/v1/things/log`, {
      headers: { ...client, 'x-request-id': 'trace-log-1', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(200);
    const lines = capture.records().filter((r) => r.requestId === 'trace-log-1');
    const handlerLine = lines.find((r) => r.msg === 'handler log line');
    const completed = lines.find((r) => r.msg === 'request completed');
    expect(handlerLine).toMatchObject({ requestId: 'trace-log-1', traceId, context: 'ThingsController' });
    expect(completed).toMatchObject({ requestId: 'trace-log-1', traceId });
  });

  it('documents the conventions in the OpenAPI document', async () => {
    type Operation = {
      parameters?: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
      responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
    };
    const doc = (await (await fetch(`${base}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
    };
    const create = doc.paths['/v1/things'].post;
    expect(create.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['409', '422', '428', '429', '503']));
    const unavailable = create.responses['503'] as { headers?: Record<string, unknown>; content?: Record<string, { schema: Record<string, unknown> }> };
    expect(unavailable.headers).toHaveProperty('Retry-After');
    expect(unavailable.content?.['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/ProblemDetailsDto' });
    expect(Object.keys(doc.paths['/v1/things'].get.responses)).toEqual(expect.arrayContaining(['429', '503']));
    expect(doc.paths['/health/ready']?.get?.responses?.['429']).toBeUndefined();
    const optional = doc.paths['/v1/things/optional'].post;
    expect(optional.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', required: false }));
    expect(Object.keys(optional.responses)).not.toContain('428');

    const listing = doc.paths['/v1/things'].get;
    expect(listing.parameters).toContainEqual(
      expect.objectContaining({ name: 'limit', in: 'query', required: false, schema: expect.objectContaining({ minimum: 1, maximum: 200, default: 50 }) }),
    );
    expect(listing.parameters).toContainEqual(
      expect.objectContaining({ name: 'cursor', in: 'query', required: false, schema: expect.objectContaining({ maxLength: 512 }) }),
    );
    expect(listing.responses['200'].content?.['application/json'].schema).toEqual({
      allOf: [
        { $ref: '#/components/schemas/CursorPageDto' },
        { type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: { $ref: '#/components/schemas/ThingDto' } } } },
      ],
    });
    expect(doc.components.schemas.CursorPageDto.properties?.nextCursor).toMatchObject({ type: 'string', nullable: true });
    expect(Object.keys(listing.responses)).toContain('400');

    const update = doc.paths['/v1/things/{id}'].patch;
    expect(update.parameters).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header', required: true }));
    expect(Object.keys(update.responses)).toEqual(expect.arrayContaining(['412', '428']));
    expect(doc.paths['/v1/things/{id}'].get.parameters).toContainEqual(expect.objectContaining({ name: 'If-None-Match', in: 'header' }));
  });
});
