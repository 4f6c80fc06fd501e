import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigService } from '@nestjs/config';
import { createServiceApp } from './bootstrap';
import { ServiceConfig } from './config/service-config';
import { BROKER_PROBE, type BrokerProbe } from './health/broker-probe';
import { PROBLEM_TYPE_BASE } from './http/problem';
import { SPEC_SERVICE, widgetAppModule, type WidgetModuleOptions } from './spec/widget.fixture';

async function startApp(options: WidgetModuleOptions = {}): Promise<{ app: NestFastifyApplication; base: string }> {
  const app = await createServiceApp({
    service: SPEC_SERVICE,
    module: widgetAppModule(options),
    title: 'Platform spec service',
    description: 'Widgets used to test the shared platform',
    version: '9.9.9',
    shutdownHooks: false,
  });
  await app.listen(0, '127.0.0.1');
  return { app, base: await app.getUrl() };
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

function expectProblem(response: Response, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

describe('platform HTTP stack (real Fastify + PostgreSQL)', () => {
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    ({ app, base } = await startApp());
  });

  afterAll(async () => {
    await app?.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${base}${path}`, { method: 'POST', headers, body });

  it('accepts a valid DTO under /v1', async () => {
    const res = await post('/v1/widgets', JSON.stringify({ name: 'Sprocket', count: 3 }));
    expect(res.status).toBe(201);
    expect(await json(res)).toEqual({ id: 'w-1', name: 'Sprocket', count: 3 });
  });

  it('ran the explicit migration at startup', async () => {
    const res = await fetch(`${base}/v1/widgets/table`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ exists: true });
  });

  it('returns field errors as problem+json for an invalid DTO, without echoing values', async () => {
    const longName = 'Zq'.repeat(60);
    const res = await post('/v1/widgets', JSON.stringify({ name: longName, count: 11 }));
    expectProblem(res, 400);
    const text = await res.text();
    expect(text).not.toContain(longName);
    const problem = JSON.parse(text);
    expect(problem).toMatchObject({
      type: `${PROBLEM_TYPE_BASE}validation-error`,
      title: 'Validation failed',
      status: 400,
      instance: '/v1/widgets',
    });
    expect(typeof problem.detail).toBe('string');
    expect(typeof problem.requestId).toBe('string');
    const fields = problem.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['count', 'name']);
    expect(problem.errors).toContainEqual(expect.objectContaining({ field: 'count', code: 'max' }));
    expect(problem.errors).toContainEqual(expect.objectContaining({ field: 'name', code: 'maxLength' }));
  });

  it('reports every missing field (stopAtFirstError is off)', async () => {
    const res = await post('/v1/widgets', JSON.stringify({}));
    expectProblem(res, 400);
    const problem = await json(res);
    const errors = problem.errors as { field: string; code: string }[];
    expect(errors.filter((e) => e.field === 'count').length).toBeGreaterThan(1);
    expect(errors.some((e) => e.field === 'name')).toBe(true);
  });

  it('rejects unknown fields (forbidNonWhitelisted)', async () => {
    const res = await post('/v1/widgets', JSON.stringify({ name: 'Sprocket', count: 2, colour: 'red' }));
    expectProblem(res, 400);
    const problem = await json(res);
    expect(problem.errors).toEqual([
      expect.objectContaining({ field: 'colour', code: 'whitelistValidation' }),
    ]);
  });

  it('uses dotted paths for nested fields', async () => {
    const res = await post(
      '/v1/widgets',
      JSON.stringify({ name: 'Sprocket', count: 2, documents: [{ number: 'ok' }, { number: 'X'.repeat(30), extra: 1 }] }),
    );
    expectProblem(res, 400);
    const fields = ((await json(res)).errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['documents[1].extra', 'documents[1].number']);
  });

  it.each([['an array', '[1,2]'], ['a string', '"text"'], ['a number', '42']])(
    'rejects %s where an object is expected',
    async (_label, body) => {
      const res = await post('/v1/widgets', body);
      expectProblem(res, 400);
      expect(await json(res)).toMatchObject({
        type: `${PROBLEM_TYPE_BASE}validation-error`,
        errors: [{ field: '(body)', message: 'The request body must be a JSON object', code: 'isObject' }],
      });
    },
  );

  it.each([['null', 'null'], ['an empty body', '']])('treats %s as a missing body (required fields reported)', async (_l, body) => {
    const res = await post('/v1/widgets', body);
    expectProblem(res, 400);
    const fields = ((await json(res)).errors as { field: string }[]).map((e) => e.field);
    expect(new Set(fields)).toEqual(new Set(['name', 'count']));
  });

  it('accepts +json media types such as merge-patch', async () => {
    const res = await post('/v1/widgets', JSON.stringify({ name: 'a', count: 1 }), {
      'content-type': 'application/merge-patch+json',
    });
    expect(res.status).toBe(201);
  });

  it('answers a malformed URL with a 400 problem', async () => {
    const res = await fetch(`${base}/v1/widgets/%E0%A4%A`, { headers: { 'x-request-id': 'bad-url-1' } });
    expectProblem(res, 400);
    const problem = await json(res);
    expect(problem).toMatchObject({ status: 400, requestId: 'bad-url-1' });
    expect(problem.detail).not.toContain('%E0');
  });

  it('answers malformed JSON with a 400 problem that does not echo the body', async () => {
    const res = await post('/v1/widgets', '{"name": "Secretvalue", count: ');
    expectProblem(res, 400);
    const text = await res.text();
    expect(text).not.toContain('Secretvalue');
    expect(JSON.parse(text)).toMatchObject({ type: `${PROBLEM_TYPE_BASE}malformed-json`, status: 400 });
  });

  it('answers deeply nested JSON with a 400 problem instead of overflowing the stack', async () => {
    const deep = '{"name":"a","count":1,"extra":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}';
    const res = await post('/v1/widgets', deep);
    expectProblem(res, 400);
    expect(await json(res)).toMatchObject({ type: `${PROBLEM_TYPE_BASE}malformed-json`, title: 'JSON nested too deeply' });
    const fine = await post('/v1/widgets', JSON.stringify({ name: 'a', count: 1, extra: JSON.parse('['.repeat(60) + ']'.repeat(60)) }));
    expect(fine.status).toBe(400); // unknown field `extra`, rejected by validation: parsed fine
    expect((await json(fine)).type).toBe(`${PROBLEM_TYPE_BASE}validation-error`);
  });

  it('rejects prototype poisoning', async () => {
    const res = await post('/v1/widgets', '{"name":"a","count":1,"__proto__":{"admin":true}}');
    expectProblem(res, 400);
  });

  it('answers an oversized body with 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), count: 1 });
    const res = await post('/v1/widgets', big);
    expectProblem(res, 413);
    expect(await json(res)).toMatchObject({
      type: `${PROBLEM_TYPE_BASE}payload-too-large`,
      status: 413,
      detail: 'The request body exceeds the limit of 1048576 bytes.',
    });
  });

  it('answers a non-JSON content type with 415', async () => {
    const res = await post('/v1/widgets', 'name=Sprocket', { 'content-type': 'text/plain' });
    expectProblem(res, 415);
    expect(await json(res)).toMatchObject({
      type: `${PROBLEM_TYPE_BASE}unsupported-media-type`,
      status: 415,
      detail: 'Send request bodies as application/json.',
    });
    expectProblem(await post('/v1/widgets', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
  });

  it.each(['/nope', '/v1/nope', '/v1/widgets/a/b'])('answers unknown route %s with a 404 problem', async (path) => {
    const res = await fetch(`${base}${path}?name=Secret`);
    expectProblem(res, 404);
    const problem = await json(res);
    expect(problem).toMatchObject({ type: `${PROBLEM_TYPE_BASE}not-found`, status: 404, instance: path });
    expect(JSON.stringify(problem)).not.toContain('Secret');
  });

  it('renders a thrown ProblemException', async () => {
    const res = await fetch(`${base}/v1/widgets/123`);
    expectProblem(res, 404);
    expect(await json(res)).toMatchObject({
      type: `${PROBLEM_TYPE_BASE}widget-not-found`,
      title: 'Widget not found',
      status: 404,
      detail: 'No widget with this id exists.',
      instance: '/v1/widgets/123',
    });
  });

  it('answers an unexpected error with a generic 500 problem', async () => {
    const res = await fetch(`${base}/v1/widgets/boom`);
    expectProblem(res, 500);
    const text = await res.text();
    expect(text).not.toContain('secret internal detail');
    expect(text).not.toContain('at ');
    expect(JSON.parse(text)).toMatchObject({ type: `${PROBLEM_TYPE_BASE}internal-error`, status: 500 });
  });

  it('echoes a valid x-request-id and generates one otherwise', async () => {
    const given = await fetch(`${base}/v1/widgets/123`, { headers: { 'x-request-id': 'req-abc.123' } });
    expect(given.headers.get('x-request-id')).toBe('req-abc.123');
    expect((await json(given)).requestId).toBe('req-abc.123');

    const generated = await fetch(`${base}/health/live`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const hostile = await fetch(`${base}/health/live`, { headers: { 'x-request-id': 'x'.repeat(500) } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('continues an incoming W3C traceparent and starts one otherwise', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${base}/health/live`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const echoed = res.headers.get('traceparent');
    expect(echoed).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(echoed).not.toContain('00f067aa0ba902b7');

    const fresh = await fetch(`${base}/health/live`, { headers: { traceparent: 'garbage' } });
    expect(fresh.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('exposes the request context to handlers', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await fetch(`${base}/v1/widgets/context`, {
      headers: { 'x-request-id': 'ctx-1', traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    expect(await json(res)).toEqual({ requestId: 'ctx-1', traceId });
  });

  it('provides the validated ServiceConfig and ConfigService to the app', () => {
    const config = app.get(ServiceConfig);
    expect(config.serviceName).toBe(SPEC_SERVICE);
    // PUENTE_DB_PREFIX is this run's `puente_test_<run>_`, set by Jest's global setup.
    expect(config.databaseName).toMatch(/^puente_test_[a-z0-9]+_platform_spec$/);
    expect(config.databaseName).toBe(`${process.env.PUENTE_DB_PREFIX}platform_spec`);
    expect(app.get(ConfigService).get<ServiceConfig>('service')?.databaseName).toBe(config.databaseName);
  });

  it('sets security headers (helmet)', async () => {
    const res = await fetch(`${base}/health/live`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves liveness and readiness outside /v1', async () => {
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(await json(live)).toMatchObject({ status: 'ok' });

    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    const body = await json(ready);
    expect(body).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
    expect((body.details as Record<string, unknown>).kafka).toBeUndefined();

    expectProblem(await fetch(`${base}/v1/health/live`), 404);
  });

  it('exposes Prometheus metrics with route patterns, not raw URLs', async () => {
    await fetch(`${base}/v1/widgets/987654`);
    await fetch(`${base}/no/such/route/555`);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
    expect(text).toMatch(/http_server_request_duration_seconds_bucket\{[^}]*route="\/v1\/widgets\/:id"[^}]*status_code="404"/);
    expect(text).toMatch(/route="unmatched"/);
    // No raw URL (nor an id from one) as a label value; metric values may contain any digits.
    const labelValues = [...text.matchAll(/="([^"]*)"/g)].map((m) => m[1]);
    expect(labelValues.filter((v) => v.includes('987654') || v.includes('555') || v.includes('/no/such'))).toEqual([]);
    expect(text).not.toContain('/v1/widgets/987654');
    expect(text).not.toContain('/no/such/route');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain(`service="${SPEC_SERVICE}"`);
    expectProblem(await fetch(`${base}/v1/metrics`), 404);
  });

  it('serves the OpenAPI document and Swagger UI at /docs', async () => {
    const res = await fetch(`${base}/docs/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      info: { title: string; version: string };
      paths: Record<string, Record<string, unknown>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    };
    expect(doc.info).toMatchObject({ title: 'Platform spec service', version: '9.9.9' });
    expect(doc.paths['/v1/widgets']).toHaveProperty('post');
    expect(doc.paths['/v1/widgets/{id}']).toHaveProperty('get');
    expect(doc.paths['/health/ready']).toHaveProperty('get');
    expect(doc.paths['/v1/health/ready']).toBeUndefined();
    expect(doc.paths['/metrics']).toBeUndefined();
    expect(doc.components.securitySchemes).toHaveProperty('bearer');
    expect(doc.components.schemas).toHaveProperty('ProblemDetailsDto');
    expect(doc.components.schemas).toHaveProperty('CreateWidgetDto');

    for (const path of ['/docs', '/docs/', '/docs/swagger-ui-init.js', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css']) {
      const asset = await fetch(`${base}${path}`);
      expect([path, asset.status]).toEqual([path, 200]);
      await asset.arrayBuffer();
    }
    const html = await (await fetch(`${base}/docs`)).text();
    expect(html).toContain('<title>Platform spec service</title>');
    expect(html).toContain('./docs/swagger-ui-init.js');
  });
});

describe('readiness with a broker probe', () => {
  it('reports kafka up when the probe succeeds', async () => {
    const probe: BrokerProbe = { check: async () => undefined };
    const { app, base } = await startApp({ providers: [{ provide: BROKER_PROBE, useValue: probe }] });
    try {
      const res = await fetch(`${base}/health/ready`);
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({
        status: 'ok',
        details: { database: { status: 'up' }, kafka: { status: 'up' } },
      });
    } finally {
      await app.close();
    }
  });

  it('answers 503 with kafka down when the probe throws', async () => {
    const probe: BrokerProbe = {
      check: async () => {
        throw new Error('broker 127.0.0.1:1 unreachable');
      },
    };
    const { app, base } = await startApp({ providers: [{ provide: BROKER_PROBE, useValue: probe }] });
    try {
      const res = await fetch(`${base}/health/ready`);
      expectProblem(res, 503);
      const body = await json(res);
      expect(body).toMatchObject({
        type: `${PROBLEM_TYPE_BASE}service-unavailable`,
        status: 503,
        details: { database: { status: 'up' }, kafka: { status: 'down' } },
        error: { kafka: { status: 'down' } },
      });
      expect(res.headers.get('retry-after')).toBe('5');
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      // A load balancer keeps sending traffic: requests need the database, not Kafka.
      const serving = await fetch(`${base}/health/serving`);
      expect(serving.status).toBe(200);
      expect(await json(serving)).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
    } finally {
      await app.close();
    }
  });
});
