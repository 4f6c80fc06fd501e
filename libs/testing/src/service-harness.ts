// Test harness (not production code): starts a real service app (Fastify on a random port, real
// PostgreSQL and Kafka) with its own database, mints real tokens with the dev issuer and talks
// HTTP to it. Services wrap it with what they add (their config, broker helpers, fixtures).
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DevIssuer } from '@puente/auth';
import { testDatabasePrefix } from './database';

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  /** A bearer token; the harness's default token when omitted, none when null. */
  token?: string | null;
  body?: unknown;
  /** Raw body text (bypasses JSON.stringify). */
  raw?: string;
  headers?: Record<string, string>;
  /** Idempotency-Key for POST; a random one by default, null for none. */
  idempotencyKey?: string | null;
}

export interface TokenOptions {
  scopes?: string[];
  jurisdictions?: string[];
  partnerId?: string;
  node?: string;
  clientId?: string;
}

export interface ServiceHarness {
  app: NestFastifyApplication;
  base: string;
  /** A token for a GT caseworker with `defaultScopes` (unless overridden); cached per options. */
  token(options?: TokenOptions): Promise<string>;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<TestResponse<T>>;
  close(): Promise<void>;
}

const issuers = new Map<string, DevIssuer>();

/** The dev issuer of this test process for `name`, keyed in a temporary directory. */
export function specIssuer(name: string): DevIssuer {
  let issuer = issuers.get(name);
  if (!issuer) {
    issuer = new DevIssuer({ dir: mkdtempSync(join(tmpdir(), `puente-${name}-spec-`)), env: { NODE_ENV: 'test' } });
    issuers.set(name, issuer);
  }
  return issuer;
}

/** Runs `create` with `env` applied to process.env (config is read then) and restores it after. */
export async function withEnv<T>(env: Record<string, string | undefined>, create: () => Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await create();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * Starts one suite's app with its own database (`<prefix><suite>_<service>`), rate limiting off
 * and the suite's dev issuer trusted, listening on a random port.
 */
export async function startServiceHarness(o: {
  name: string;
  suite: string;
  defaultScopes: string[];
  env?: Record<string, string | undefined>;
  create: () => Promise<NestFastifyApplication>;
}): Promise<ServiceHarness> {
  const issuer = specIssuer(o.name);
  await issuer.ensureKey();
  const app = await withEnv(
    {
      NODE_ENV: 'test',
      PUENTE_DB_PREFIX: `${testDatabasePrefix()}${o.suite}_`,
      AUTH_DEV_DIR: issuer.dir,
      RATE_LIMIT_PER_MINUTE: '0',
      ...o.env,
    },
    o.create,
  );
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  const tokens = new Map<string, string>();
  const harness: ServiceHarness = {
    app,
    base,
    async token(t = {}) {
      const key = JSON.stringify(t);
      const cached = tokens.get(key);
      if (cached) return cached;
      const partnerId = t.partnerId ?? 'GT-MRC-01';
      const token = await issuer.mint({
        partnerId,
        node: t.node ?? 'GT',
        scopes: t.scopes ?? o.defaultScopes,
        jurisdictions: t.jurisdictions ?? ['GT'],
        clientId: t.clientId ?? `${partnerId.toLowerCase()}-caseworker-app`,
        ttlSeconds: 3600,
      });
      tokens.set(key, token);
      return token;
    },
    async call(method, path, c = {}) {
      const headers: Record<string, string> = { ...(c.headers ?? {}) };
      const token = c.token === undefined ? await harness.token() : c.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (c.body !== undefined || c.raw !== undefined) headers['content-type'] ??= 'application/json';
      if (method === 'POST' && c.idempotencyKey !== null && !Object.keys(headers).some((h) => h.toLowerCase() === 'idempotency-key')) {
        headers['idempotency-key'] = c.idempotencyKey ?? randomUUID();
      }
      const res = await fetch(`${base}${path}`, { method, headers, body: c.raw ?? (c.body === undefined ? undefined : JSON.stringify(c.body)) });
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      return { status: res.status, headers: res.headers, body: body as never, text };
    },
    async close() {
      await app.close();
    },
  };
  return harness;
}

/** Expects an RFC 9457 problem with this status (and type slug); returns its body. */
export function expectProblem(res: TestResponse, status: number, type?: string): any {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  if (type) expect(res.body.type).toBe(`https://puente.dev/problems/${type}`);
  return res.body;
}

/** `field` of each error of a problem (given the response or the problem body). */
export function problemFields(resOrProblem: TestResponse | { errors?: { field: string }[] }): string[] {
  const problem = 'text' in resOrProblem && 'headers' in resOrProblem ? (resOrProblem as TestResponse).body : resOrProblem;
  return ((problem?.errors ?? []) as { field: string }[]).map((e) => e.field);
}
