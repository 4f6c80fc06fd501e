import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigValidationError } from '../../config/load-config';
import { PROBLEM_TYPE_BASE } from '../../http/problem';
import { startConventionsApp, TEST_CLIENT_HEADER } from '../../spec/conventions.fixture';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, RATE_LIMIT_ENV, resolveRateLimitSettings } from './rate-limit.config';

const previous = process.env[RATE_LIMIT_ENV];

function restoreEnv(): void {
  if (previous === undefined) delete process.env[RATE_LIMIT_ENV];
  else process.env[RATE_LIMIT_ENV] = previous;
}

describe('rate limit settings', () => {
  it('defaults to 600 per minute; the environment overrides the service default; 0 disables', () => {
    expect(resolveRateLimitSettings('svc', {})).toEqual({ enabled: true, limit: DEFAULT_RATE_LIMIT_PER_MINUTE, ttlMs: 60_000 });
    expect(DEFAULT_RATE_LIMIT_PER_MINUTE).toBe(600);
    expect(resolveRateLimitSettings('svc', {}, { perMinute: 5 })).toMatchObject({ enabled: true, limit: 5 });
    expect(resolveRateLimitSettings('svc', { [RATE_LIMIT_ENV]: '120' }, { perMinute: 5 })).toMatchObject({ enabled: true, limit: 120 });
    expect(resolveRateLimitSettings('svc', { [RATE_LIMIT_ENV]: '0' }, { perMinute: 5 })).toMatchObject({ enabled: false });
    expect(resolveRateLimitSettings('svc', { [RATE_LIMIT_ENV]: '' })).toMatchObject({ enabled: true, limit: 600 });
  });

  it.each(['-1', 'lots', '1.5', '99999999'])('rejects %p with a configuration error', (value) => {
    expect(() => resolveRateLimitSettings('svc', { [RATE_LIMIT_ENV]: value })).toThrow(ConfigValidationError);
    expect(() => resolveRateLimitSettings('svc', { [RATE_LIMIT_ENV]: value })).toThrow(/RATE_LIMIT_PER_MINUTE must be an integer/);
  });
});

describe('per-client rate limiting (real HTTP)', () => {
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    delete process.env[RATE_LIMIT_ENV];
    ({ app, base } = await startConventionsApp({ rateLimitPerMinute: 5 }));
  });

  afterAll(async () => {
    await app?.close();
    restoreEnv();
  });

  const call = (path: string, client?: string) => fetch(`${base}${path}`, { headers: client ? { [TEST_CLIENT_HEADER]: client } : {} });

  it('answers the 6th request of a client within a minute with 429 problem+json and Retry-After; other clients are unaffected', async () => {
    for (let i = 0; i < 5; i += 1) {
      const ok = await call('/v1/things/log', 'client-a');
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-ratelimit-remaining')).toBe(String(4 - i));
    }
    const limited = await call('/v1/things/log', 'client-a');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(limited.headers.get('x-request-id')).toEqual(expect.any(String));
    expect(limited.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(await limited.json()).toMatchObject({ type: `${PROBLEM_TYPE_BASE}too-many-requests`, status: 429, instance: '/v1/things/log' });

    expect((await call('/v1/things/log', 'client-b')).status).toBe(200);
  });

  it('counts all routes of the service together for one client', async () => {
    for (let i = 0; i < 3; i += 1) expect((await call('/v1/things/log', 'client-c')).status).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await call('/v1/things?tag=x', 'client-c')).status).toBe(200);
    expect((await call('/v1/things?tag=x', 'client-c')).status).toBe(429);
  });

  it('never limits health and metrics, and falls back to the IP address without a principal', async () => {
    for (let i = 0; i < 12; i += 1) {
      expect((await call('/health/live')).status).toBe(200);
      expect((await call('/metrics')).status).toBe(200);
    }
    for (let i = 0; i < 5; i += 1) expect((await call('/v1/things/log')).status).toBe(200);
    expect((await call('/v1/things/log')).status).toBe(429);
    expect((await call('/health/ready')).status).toBe(200);
  });
});

describe('rate limit configuration from the environment', () => {
  afterEach(restoreEnv);

  it('RATE_LIMIT_PER_MINUTE=0 disables it', async () => {
    process.env[RATE_LIMIT_ENV] = '0';
    const { app, base } = await startConventionsApp({ rateLimitPerMinute: 5 });
    try {
      for (let i = 0; i < 12; i += 1) {
        const res = await fetch(`${base}/v1/things/log`, { headers: { [TEST_CLIENT_HEADER]: 'bench' } });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-ratelimit-limit')).toBeNull();
      }
    } finally {
      await app.close();
    }
  });

  it('RATE_LIMIT_PER_MINUTE overrides the service default', async () => {
    process.env[RATE_LIMIT_ENV] = '2';
    const { app, base } = await startConventionsApp({ rateLimitPerMinute: 5 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await fetch(`${base}/v1/things/log`, { headers: { [TEST_CLIENT_HEADER]: 'c' } })).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await app.close();
    }
  });

  it('an invalid RATE_LIMIT_PER_MINUTE stops the service from starting', async () => {
    process.env[RATE_LIMIT_ENV] = 'lots';
    await expect(startConventionsApp()).rejects.toThrow(/RATE_LIMIT_PER_MINUTE must be an integer/);
  });
});
