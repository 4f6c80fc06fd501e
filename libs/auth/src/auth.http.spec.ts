import { createHmac, createPublicKey } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { base64url, exportSPKI, type JWTPayload } from 'jose';
import { createTestKey, type JwksServer, signWith, startJwksServer, type TestKey } from './spec/jwks-server';
import { LogCapture } from '@puente/platform';
import { SPEC_AUDIENCE, startAuthSpecApp } from './spec/test-app';

const ISSUER = 'https://idp.example.test/realms/gt';
const PROBLEM = 'https://puente.dev/problems/';

const now = () => Math.floor(Date.now() / 1000);

function claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: ISSUER,
    sub: 'svc-gt-mrc-01',
    aud: SPEC_AUDIENCE,
    iat: now(),
    exp: now() + 300,
    client_id: 'gt-mrc-01-portal',
    partner_id: 'GT-MRC-01',
    node: 'GT',
    jurisdictions: ['GT', 'HN-MRC-02'],
    scope: 'cases:read cases:write referrals:read persons:write',
    jti: 'tok-1',
    ...overrides,
  };
}

function without(payload: JWTPayload, ...names: string[]): JWTPayload {
  const copy: Record<string, unknown> = { ...payload };
  for (const name of names) delete copy[name];
  return copy;
}

function unsigned(header: Record<string, unknown>, payload: JWTPayload, signature = ''): string {
  const enc = (v: unknown) => base64url.encode(JSON.stringify(v));
  return `${enc(header)}.${enc(payload)}.${signature}`;
}

function hs256(header: Record<string, unknown>, payload: JWTPayload, secret: string | Buffer): string {
  const input = unsigned(header, payload).slice(0, -1);
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('AuthModule over real HTTP with a JWKS URL (real HTTP server)', () => {
  let jwks: JwksServer;
  let app: NestFastifyApplication;
  let base: string;
  let es: TestKey;
  let rsa: TestKey;
  let stranger: TestKey;
  const logs = new LogCapture();
  /** Every token this suite sends, to check none of them is ever logged. */
  const sent: string[] = [];

  beforeAll(async () => {
    es = await createTestKey('gt-2025-01', 'ES256');
    rsa = await createTestKey('gt-rsa-2025', 'RS256');
    stranger = await createTestKey('gt-2025-01', 'ES256');
    jwks = await startJwksServer([es.publicJwk, rsa.publicJwk]);
    // Debug level, so that every rejection is logged and the no-token-in-logs check below bites.
    const previous = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'debug';
    try {
      ({ app, base } = await startAuthSpecApp(
        { AUTH_JWKS_URL: jwks.url, AUTH_ISSUER: ISSUER, AUTH_JWKS_COOLDOWN_MS: '0' },
        logs,
      ));
    } finally {
      if (previous === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = previous;
    }
  });

  afterAll(async () => {
    await app?.close();
    await jwks?.close();
  });

  const get = (path: string, token?: string, headers: Record<string, string> = {}) => {
    if (token !== undefined) sent.push(token);
    if (headers.authorization) sent.push(headers.authorization);
    return fetch(`${base}${path}`, { headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers } });
  };
  const post = (path: string, token: string) => {
    sent.push(token);
    return fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  };

  async function expect401(response: Response, reason: string, token?: string): Promise<Record<string, unknown>> {
    const text = await response.text();
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain('error="invalid_token"');
    if (token) {
      expect(text).not.toContain(token);
      expect(challenge).not.toContain(token);
      for (const part of token.split('.').filter((p) => p.length > 8)) expect(text).not.toContain(part);
    }
    const problem = JSON.parse(text) as Record<string, unknown>;
    expect(problem).toMatchObject({ type: `${PROBLEM}unauthorized`, title: 'Unauthorized', status: 401, reason });
    expect(typeof problem.detail).toBe('string');
    return problem;
  }

  it('accepts a valid ES256 token and exposes the principal with the contract field names', async () => {
    const token = await signWith(es, claims());
    const res = await get('/v1/things/me', token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      subject: 'svc-gt-mrc-01',
      clientId: 'gt-mrc-01-portal',
      partnerId: 'GT-MRC-01',
      node: 'GT',
      jurisdictions: ['GT', 'HN-MRC-02'],
      scopes: ['cases:read', 'cases:write', 'referrals:read', 'persons:write'],
      tokenId: 'tok-1',
    });
  });

  it('accepts an RS256 token and attaches request.principal (azp as client id, no jti)', async () => {
    const token = await signWith(rsa, without(claims({ azp: 'azp-client' }), 'client_id', 'jti'));
    const res = await get('/v1/things/request-principal', token);
    expect(res.status).toBe(200);
    const { principal } = (await res.json()) as { principal: Record<string, unknown> };
    expect(principal).toMatchObject({ clientId: 'azp-client', partnerId: 'GT-MRC-01', node: 'GT' });
    expect(principal).not.toHaveProperty('tokenId');
  });

  it('accepts a token that names this audience among several', async () => {
    const token = await signWith(es, claims({ aud: ['puente:intake', SPEC_AUDIENCE] }));
    expect((await get('/v1/things/me', token)).status).toBe(200);
  });

  it('tolerates a small clock skew on exp (30 s) but not more', async () => {
    expect((await get('/v1/things/me', await signWith(es, claims({ exp: now() - 10 })))).status).toBe(200);
    await expect401(await get('/v1/things/me', await signWith(es, claims({ exp: now() - 45 }))), 'token-expired');
  });

  describe('rejects with 401 problem+json and WWW-Authenticate: Bearer error="invalid_token"', () => {
    it('no token', async () => {
      const problem = await expect401(await get('/v1/things/me'), 'missing-token');
      expect(problem.detail).toMatch(/bearer token is required/i);
    });

    it.each([
      ['another scheme', 'Basic dXNlcjpwYXNz'],
      ['the scheme alone', 'Bearer'],
      ['two tokens', 'Bearer abc.def.ghi jkl.mno.pqr'],
      ['no space', 'Bearerabc.def.ghi'],
    ])('malformed Authorization header: %s', async (_label, header) => {
      await expect401(await get('/v1/things/me', undefined, { authorization: header }), 'malformed-authorization');
    });

    it.each([
      ['two segments', 'abc.def'],
      ['garbage header', 'bm90anNvbg.e30.c2ln'],
      ['non-base64url characters', 'a*b.c.d'],
    ])('malformed token: %s', async (_label, token) => {
      await expect401(await get('/v1/things/me', token), 'malformed-token', token);
    });

    it('an oversized token', async () => {
      const token = `${'a'.repeat(9000)}.b.c`;
      await expect401(await get('/v1/things/me', token), 'malformed-token');
    });

    it('a bad signature (same kid, another key)', async () => {
      const token = await signWith(stranger, claims());
      await expect401(await get('/v1/things/me', token), 'invalid-signature', token);
    });

    it('a tampered payload', async () => {
      const token = await signWith(es, claims({ scope: 'cases:read' }));
      const [h, , s] = token.split('.');
      const forged = `${h}.${base64url.encode(JSON.stringify(claims({ scope: 'audit:read' })))}.${s}`;
      await expect401(await get('/v1/things/me', forged), 'invalid-signature', forged);
    });

    it('alg "none" (unsigned token)', async () => {
      const token = unsigned({ alg: 'none', kid: es.kid, typ: 'JWT' }, claims());
      const problem = await expect401(await get('/v1/things/me', token), 'algorithm-not-allowed', token);
      expect(problem.detail).toContain('RS256, PS256, ES256, EdDSA');
    });

    it('HS256 signed with the RSA public key (PEM) as the HMAC secret: algorithm confusion', async () => {
      const pem = await exportSPKI(rsa.publicKey);
      const token = hs256({ alg: 'HS256', kid: rsa.kid, typ: 'JWT' }, claims(), pem);
      await expect401(await get('/v1/things/me', token), 'algorithm-not-allowed', token);
    });

    it('HS256 signed with the public JWK / DER bytes as the secret', async () => {
      const der = createPublicKey({ key: rsa.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'der' });
      for (const secret of [JSON.stringify(rsa.publicJwk), der]) {
        const token = hs256({ alg: 'HS256', kid: rsa.kid }, claims(), secret);
        await expect401(await get('/v1/things/me', token), 'algorithm-not-allowed', token);
      }
    });

    it('an expired token', async () => {
      const token = await signWith(es, claims({ iat: now() - 3600, exp: now() - 600 }));
      const problem = await expect401(await get('/v1/things/me', token), 'token-expired', token);
      expect(problem.detail).toMatch(/expired/);
    });

    it('a token not yet valid (nbf)', async () => {
      const token = await signWith(es, claims({ nbf: now() + 600 }));
      await expect401(await get('/v1/things/me', token), 'token-not-yet-valid', token);
    });

    it('a token issued in the future (iat)', async () => {
      const token = await signWith(es, claims({ iat: now() + 600, exp: now() + 900 }));
      await expect401(await get('/v1/things/me', token), 'token-issued-in-future', token);
    });

    it('a token without exp', async () => {
      const token = await signWith(es, without(claims(), 'exp'));
      const problem = await expect401(await get('/v1/things/me', token), 'missing-claim', token);
      expect(problem.detail).toBe('The token has no exp claim.');
    });

    it('the wrong audience', async () => {
      const token = await signWith(es, claims({ aud: 'puente:intake' }));
      const problem = await expect401(await get('/v1/things/me', token), 'wrong-audience', token);
      expect(problem.detail).toContain(SPEC_AUDIENCE);
    });

    it('the wrong issuer', async () => {
      const token = await signWith(es, claims({ iss: 'https://evil.example.test' }));
      const problem = await expect401(await get('/v1/things/me', token), 'wrong-issuer', token);
      expect(problem.detail).not.toContain('evil');
    });

    it('an unknown kid', async () => {
      const other = await createTestKey('not-published', 'ES256');
      const token = await signWith(other, claims());
      await expect401(await get('/v1/things/me', token), 'unknown-key', token);
    });

    it('a token without kid', async () => {
      const token = await signWith(es, claims(), { kid: undefined });
      await expect401(await get('/v1/things/me', token), 'missing-key-id', token);
    });

    it.each(['partner_id', 'node', 'sub'])('a token missing %s, naming the claim', async (claim) => {
      const token = await signWith(es, without(claims(), claim));
      const problem = await expect401(await get('/v1/things/me', token), 'missing-claim', token);
      expect(problem.detail).toBe(`The token has no ${claim} claim.`);
    });

    it.each([
      ['node not ISO alpha-2', { node: 'Guatemala' }, 'node'],
      ['jurisdictions not codes', { jurisdictions: ['gt'] }, 'jurisdiction'],
      ['scope not a string', { scope: 42 }, 'scope'],
    ])('malformed claims: %s', async (_label, override, word) => {
      const token = await signWith(es, claims(override as JWTPayload));
      const problem = await expect401(await get('/v1/things/me', token), 'invalid-claim', token);
      expect(String(problem.detail)).toContain(word);
    });
  });

  describe('scopes', () => {
    it('403 insufficient_scope problem+json naming the required scopes when one is missing', async () => {
      const token = await signWith(es, claims({ scope: 'cases:read' }));
      const res = await post('/v1/things/cases', token);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const challenge = res.headers.get('www-authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer /);
      expect(challenge).toContain('error="insufficient_scope"');
      expect(challenge).toContain('scope="cases:read cases:write"');
      const text = await res.text();
      expect(text).not.toContain(token);
      expect(JSON.parse(text)).toMatchObject({
        type: `${PROBLEM}insufficient-scope`,
        status: 403,
        requiredScopes: ['cases:read', 'cases:write'],
        missingScopes: ['cases:write'],
      });
    });

    it('passes when every required scope is granted', async () => {
      const res = await post('/v1/things/cases', await signWith(es, claims()));
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ created: true });
    });

    it('requires the controller scopes and the handler scopes together', async () => {
      const onlyHandler = await signWith(es, claims({ scope: 'referrals:write' }));
      const res = await post('/v1/scoped', onlyHandler);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ missingScopes: ['referrals:read'] });
      const both = await signWith(es, claims({ scope: 'referrals:read referrals:write' }));
      expect((await post('/v1/scoped', both)).status).toBe(201);
    });

    it('checks the token before the scopes (no token on a scoped route is 401, not 403)', async () => {
      const res = await fetch(`${base}/v1/things/cases`, { method: 'POST' });
      await expect401(res, 'missing-token');
    });
  });

  describe('object-level policy', () => {
    const referral = async (partner: string, id: string) =>
      get(`/v1/things/referrals/${id}`, await signWith(es, claims({ partner_id: partner, scope: 'referrals:read' })));

    it('lets the sender and the receiver read a referral, with their role', async () => {
      const sender = await referral('GT-MRC-01', 'ref-1');
      expect(sender.status).toBe(200);
      expect(await sender.json()).toEqual({ id: 'ref-1', roles: ['sender'] });
      const receiver = await referral('MX-COMAR', 'ref-1');
      expect(await receiver.json()).toEqual({ id: 'ref-1', roles: ['receiver'] });
    });

    it('answers a third partner exactly like a missing id (404 not-found)', async () => {
      const hidden = await referral('UNHCR', 'ref-1');
      const missing = await referral('UNHCR', 'ref-404');
      expect(hidden.status).toBe(404);
      expect(missing.status).toBe(404);
      const strip = (p: Record<string, unknown>) => ({ ...p, instance: undefined, requestId: undefined });
      const a = strip((await hidden.json()) as Record<string, unknown>);
      const b = strip((await missing.json()) as Record<string, unknown>);
      expect(a).toEqual(b);
      expect(a).toMatchObject({ type: `${PROBLEM}not-found`, status: 404 });
      expect(hidden.headers.get('www-authenticate')).toBeNull();
    });

    it('jurisdiction: a site in a covered country or listed site passes, another is 403 out-of-jurisdiction', async () => {
      const token = await signWith(es, claims());
      expect((await post('/v1/things/sites/GT-MRC-07/persons', token)).status).toBe(201);
      expect((await post('/v1/things/sites/HN-MRC-02/persons', token)).status).toBe(201);
      const denied = await post('/v1/things/sites/HN-MRC-03/persons', token);
      expect(denied.status).toBe(403);
      expect(await denied.json()).toMatchObject({ type: `${PROBLEM}out-of-jurisdiction`, status: 403 });
    });
  });

  describe('public and unprefixed routes', () => {
    it('serves /health/live, /metrics and @PublicRoute() handlers without a token', async () => {
      expect((await get('/health/live')).status).toBe(200);
      expect((await get('/metrics')).status).toBe(200);
      const open = await get('/v1/things/open');
      expect(open.status).toBe(200);
      expect(await open.json()).toEqual({ principal: false });
    });

    it('ignores even a bad token on public routes', async () => {
      expect((await get('/health/live', 'not.a.token')).status).toBe(200);
    });

    it('serves the OpenAPI document without a token, with bearer security and 401/403 responses', async () => {
      const res = await get('/docs/openapi.json');
      expect(res.status).toBe(200);
      const doc = (await res.json()) as {
        components: { securitySchemes: Record<string, { type: string; scheme: string }> };
        paths: Record<string, Record<string, { security?: unknown; responses: Record<string, { description: string; content?: object }> }>>;
      };
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      const op = doc.paths['/v1/things/cases']?.post;
      expect(op?.security).toEqual([{ bearer: [] }]);
      expect(op?.responses['401']?.content).toHaveProperty(['application/problem+json']);
      expect(op?.responses['403']?.description).toContain('cases:read, cases:write');
      expect(doc.paths['/health/live']?.get?.security).toBeUndefined();
    });
  });

  describe('key rotation at the JWKS URL, without restarting the app', () => {
    it('accepts a token signed with a key published after startup (new kid), and keeps the old one while published', async () => {
      const before = await signWith(es, claims());
      expect((await get('/v1/things/me', before)).status).toBe(200);
      const next = await createTestKey('gt-2025-02', 'EdDSA');
      const early = await signWith(next, claims());
      await expect401(await get('/v1/things/me', early), 'unknown-key');

      jwks.setKeys([es.publicJwk, rsa.publicJwk, next.publicJwk]);
      const hits = jwks.hits;
      const rotated = await signWith(next, claims({ jti: 'after-rotation' }));
      const res = await get('/v1/things/me', rotated);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ tokenId: 'after-rotation' });
      expect(jwks.hits).toBe(hits + 1);
      expect((await get('/v1/things/me', before)).status).toBe(200);
    });

    it('still rejects an unknown kid after the rotation', async () => {
      const unknown = await createTestKey('gt-2099-01', 'ES256');
      await expect401(await get('/v1/things/me', await signWith(unknown, claims())), 'unknown-key');
    });

    it('answers 503 (not 401) when the JWKS cannot be fetched', async () => {
      const next = await createTestKey('gt-2025-03', 'ES256');
      jwks.failing = true;
      try {
        const res = await get('/v1/things/me', await signWith(next, claims()));
        expect(res.status).toBe(503);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.headers.get('retry-after')).toBe('5');
      } finally {
        jwks.failing = false;
      }
    });
  });

  describe('metrics', () => {
    it('count the refusals by status and reason on /metrics, for operators to alert on forgery attempts', async () => {
      const text = await (await get('/metrics')).text();
      const count = (status: string, reason: string) => {
        const line = text.split('\n').find((l) => l.startsWith('puente_auth_rejections_total{') && l.includes(`status="${status}"`) && l.includes(`reason="${reason}"`));
        return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
      };
      // Earlier tests in this file sent these; each kind at least once.
      expect(count('401', 'invalid-signature')).toBeGreaterThanOrEqual(1);
      expect(count('401', 'token-expired')).toBeGreaterThanOrEqual(1);
      expect(count('401', 'algorithm-not-allowed')).toBeGreaterThanOrEqual(1);
      expect(count('403', 'insufficient-scope')).toBeGreaterThanOrEqual(1);
      expect(count('503', 'key-source-unavailable')).toBeGreaterThanOrEqual(1);
      const before = count('401', 'missing-token');
      expect((await get('/v1/things/me')).status).toBe(401);
      const after = await (await get('/metrics')).text();
      expect(after).toContain(`puente_auth_rejections_total{status="401",reason="missing-token"`);
      expect(after.split('\n').find((l) => l.startsWith('puente_auth_rejections_total{status="401",reason="missing-token"'))).toMatch(new RegExp(` ${before + 1}$`));
    });
  });

  describe('logs', () => {
    it('record each rejection with its reason but never a token (nor its signature)', () => {
      const text = logs.lines.join('\n');
      expect(text).toContain('Bearer token rejected');
      expect(text).toContain('"reason":"invalid-signature"');
      expect(text).toContain('"reason":"token-expired"');
      expect(sent.length).toBeGreaterThan(40);
      for (const token of sent.filter((t) => t.length > 16)) {
        expect(text).not.toContain(token);
        for (const part of token.split(/[.\s]/).filter((p) => p.length > 16)) expect(text).not.toContain(part);
      }
    });
  });
});

describe('rate limit as the auth guard\'s last step (real HTTP, RATE_LIMIT_PER_MINUTE=3)', () => {
  let jwks: JwksServer;
  let app: NestFastifyApplication;
  let base: string;
  let es: TestKey;
  let stranger: TestKey;
  const previous = process.env.RATE_LIMIT_PER_MINUTE;

  beforeAll(async () => {
    es = await createTestKey('gt-2025-01', 'ES256');
    stranger = await createTestKey('gt-2025-01', 'ES256');
    jwks = await startJwksServer([es.publicJwk]);
    process.env.RATE_LIMIT_PER_MINUTE = '3';
    ({ app, base } = await startAuthSpecApp({ AUTH_JWKS_URL: jwks.url, AUTH_ISSUER: ISSUER, AUTH_JWKS_COOLDOWN_MS: '0' }));
  });

  afterAll(async () => {
    if (previous === undefined) delete process.env.RATE_LIMIT_PER_MINUTE;
    else process.env.RATE_LIMIT_PER_MINUTE = previous;
    await app?.close();
    await jwks?.close();
  });

  const get = (path: string, token?: string) => fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('counts a client\'s admitted requests: the 4th in a minute is 429 problem+json with Retry-After; another client is unaffected', async () => {
    const a = await signWith(es, claims({ client_id: 'client-a' }));
    for (let i = 0; i < 3; i += 1) {
      const ok = await get('/v1/things/me', a);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-ratelimit-remaining')).toBe(String(2 - i));
    }
    const limited = await get('/v1/things/me', a);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ type: `${PROBLEM}too-many-requests`, status: 429 });
    expect((await get('/v1/things/me', await signWith(es, claims({ client_id: 'client-b' })))).status).toBe(200);
  });

  it('does not count requests the guard refused: forged tokens (401) and missing scopes (403)', async () => {
    const forged = await signWith(stranger, claims({ client_id: 'client-c' }));
    for (let i = 0; i < 5; i += 1) expect((await get('/v1/things/me', forged)).status).toBe(401);
    const unscoped = await signWith(es, claims({ client_id: 'client-c', scope: 'persons:write' }));
    for (let i = 0; i < 5; i += 1) expect((await get('/v1/things/me', unscoped)).status).toBe(403);
    const valid = await signWith(es, claims({ client_id: 'client-c' }));
    for (let i = 0; i < 3; i += 1) expect((await get('/v1/things/me', valid)).status).toBe(200);
    expect((await get('/v1/things/me', valid)).status).toBe(429);
  });

  it('limits public routes by address, and never health', async () => {
    for (let i = 0; i < 3; i += 1) expect((await get('/v1/things/open')).status).toBe(200);
    expect((await get('/v1/things/open')).status).toBe(429);
    for (let i = 0; i < 6; i += 1) expect((await get('/health/live')).status).toBe(200);
  });
});
