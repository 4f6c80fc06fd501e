// Test harness (not production code): starts the real intake app (Fastify on a random port,
// real PostgreSQL, real Kafka), mints real tokens with the dev issuer, and talks HTTP to it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DevIssuer } from '@puente/auth';
import { type BrokerClient, createBrokerClient, parseBrokers } from '@puente/messaging';
import { createServiceApp } from '@puente/platform';
import { DataSource } from 'typeorm';
import { type IntakeAppOptions, intakeAppModule, SERVICE } from '../../app.module';
import { IntakeConfig } from '../../config/intake.config';

export const ALL_SCOPES = ['cases:read', 'cases:write', 'persons:read', 'persons:write', 'persons:erase', 'consents:write', 'sites:admin', 'partners:admin'];

/** The database prefix the run was started with (e.g. puente_int_); each suite adds its own name. */
const BASE_PREFIX = process.env.PUENTE_DB_PREFIX || 'puente_test_';
let issuerDir: string | undefined;

export function devIssuer(): DevIssuer {
  issuerDir ??= mkdtempSync(join(tmpdir(), 'puente-intake-spec-'));
  return new DevIssuer({ dir: issuerDir, env: { NODE_ENV: 'test' } });
}

export interface Response<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  /** Raw body text (bypasses JSON.stringify). */
  raw?: string;
  headers?: Record<string, string>;
  /** Idempotency-Key for POST; a random one by default, null for none. */
  idempotencyKey?: string | null;
}

export interface IntakeTestApp {
  app: NestFastifyApplication;
  base: string;
  ds: DataSource;
  config: IntakeConfig;
  databaseName: string;
  /** A token for a GT caseworker with every intake scope (unless overridden). */
  token(options?: { scopes?: string[]; jurisdictions?: string[]; partnerId?: string; node?: string; clientId?: string }): Promise<string>;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Response<T>>;
  close(): Promise<void>;
}

/**
 * Starts intake for one suite with its own database (`<prefix><suite>_intake`) and consumer group.
 * `env` is applied while the app is created (config is read then) and restored afterwards.
 */
export async function startIntake(suite: string, options: IntakeAppOptions & { env?: Record<string, string | undefined> } = {}): Promise<IntakeTestApp> {
  const issuer = devIssuer();
  await issuer.ensureKey();
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    PUENTE_DB_PREFIX: `${BASE_PREFIX}${suite}_`,
    AUTH_DEV_DIR: issuer.dir,
    RATE_LIMIT_PER_MINUTE: '0',
    ...options.env,
  };
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let app: NestFastifyApplication;
  try {
    app = await createServiceApp({
      service: SERVICE.name,
      module: intakeAppModule({ consumerGroup: options.consumerGroup ?? `puente.intake.spec.${suite}`, timelineTopics: options.timelineTopics }),
      config: IntakeConfig,
      title: SERVICE.title,
      description: SERVICE.description,
      shutdownHooks: false,
    });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  const config = app.get(IntakeConfig);
  const cache = new Map<string, string>();
  const harness: IntakeTestApp = {
    app,
    base,
    ds: app.get(DataSource),
    config,
    databaseName: config.databaseName,
    async token(o = {}) {
      const key = JSON.stringify(o);
      const cached = cache.get(key);
      if (cached) return cached;
      const partnerId = o.partnerId ?? 'GT-MRC-01';
      const token = await issuer.mint({
        partnerId,
        node: o.node ?? 'GT',
        scopes: o.scopes ?? ALL_SCOPES,
        jurisdictions: o.jurisdictions ?? ['GT'],
        clientId: o.clientId ?? `${partnerId.toLowerCase()}-caseworker-app`,
        ttlSeconds: 3600,
      });
      cache.set(key, token);
      return token;
    },
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      const token = o.token === undefined ? await harness.token() : o.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (o.body !== undefined || o.raw !== undefined) headers['content-type'] ??= 'application/json';
      if (method === 'POST' && o.idempotencyKey !== null && !Object.keys(headers).some((h) => h.toLowerCase() === 'idempotency-key')) {
        headers['idempotency-key'] = o.idempotencyKey ?? randomUUID();
      }
      const res = await fetch(`${base}${path}`, { method, headers, body: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)) });
      const text = await res.text();
      let body: unknown = undefined;
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

export function testBroker(clientId = 'intake-spec'): BrokerClient {
  return createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId });
}

/** Expects an RFC 9457 problem with this status (and type slug), returns its body. */
export function expectProblem(res: Response, status: number, type?: string): any {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  if (type) expect(res.body.type).toBe(`https://puente.dev/problems/${type}`);
  return res.body;
}

/** The field names of a problem's `errors` (given the response or the problem body). */
export function problemFields(resOrProblem: Response | { errors?: { field: string }[] }): string[] {
  const problem = 'status' in resOrProblem && 'headers' in resOrProblem && 'text' in resOrProblem ? (resOrProblem as Response).body : resOrProblem;
  return ((problem?.errors ?? []) as { field: string }[]).map((e) => e.field);
}

let siteCounter = 0;
/** A site code unique to this process, e.g. GT-MRC-7F3A2. */
export function uniqueSiteCode(prefix = 'GT-MRC'): string {
  siteCounter += 1;
  return `${prefix}-${(process.pid % 100_000).toString(36).toUpperCase()}${siteCounter}`.slice(0, 40);
}

/** Realistic registration bodies (Northern Triangle nationals met at the Guatemala–Mexico border). */
export const people = {
  mariaJose: (siteCode: string, extra: Record<string, unknown> = {}) => ({
    siteCode,
    givenNames: 'María José',
    familyNames: 'Pérez Gómez',
    sex: 'female',
    birthDate: '1994-08-21',
    nationality: 'HN',
    languages: [{ code: 'es', primary: true }],
    contact: { phone: '+50433312345', address: 'Albergue Belén, Tapachula, Chiapas' },
    documents: [{ type: 'national_id', number: '0801-1994-12345', issuingCountry: 'HN', verification: 'verified_original' }],
    vulnerabilityFlags: ['fear_of_return'],
    case: { priority: 'high', household: true },
    ...extra,
  }),
  child: (siteCode: string, caseId: string, givenNames: string, birthDate: string, extra: Record<string, unknown> = {}) => ({
    siteCode,
    givenNames,
    familyNames: 'Pérez',
    sex: 'male',
    birthDate,
    nationality: 'HN',
    caseId,
    ...extra,
  }),
  kiche: (siteCode: string, extra: Record<string, unknown> = {}) => ({
    siteCode,
    givenNames: 'Tomás',
    familyNames: 'Ajpop Tzul',
    sex: 'male',
    birthDate: '2009-02-14',
    nationality: 'GT',
    languages: [
      { code: 'quc', primary: true, interpreterNeeded: true },
      { code: 'es', interpreterNeeded: false },
    ],
    case: { priority: 'urgent' },
    ...extra,
  }),
};
