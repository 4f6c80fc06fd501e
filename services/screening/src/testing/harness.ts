// Test harness (not production code): starts the real screening app (Fastify on a random port,
// real PostgreSQL, real Kafka), mints real tokens with the dev issuer, publishes intake events
// the way intake does (CloudEvents headers, protobuf payload) and talks HTTP to the app.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DevIssuer } from '@puente/auth';
import {
  CaseOpenedSchema,
  ConsentPurpose,
  ConsentRecordedSchema,
  ConsentWithdrawnSchema,
  decodeEvent,
  encodeEvent,
  type EventType,
  type PuenteEvent,
  Topics,
  toTimestamp,
} from '@puente/contracts';
import { type BrokerClient, createBrokerClient, parseBrokers, readTopic, type RecordedEvent, sendRaw, toHeaders } from '@puente/messaging';
import { createServiceApp } from '@puente/platform';
import { eventually } from '@puente/testing';
import { DataSource } from 'typeorm';
import { SERVICE, screeningAppModule } from '../app.module';

export const ALL_SCOPES = ['screening:read', 'screening:write', 'screening:admin'];
const BASE_PREFIX = process.env.PUENTE_DB_PREFIX || 'puente_test_';
let issuerDir: string | undefined;

/** The consumer group of a suite: per database prefix, so concurrent runs with other prefixes do not share partitions. */
export function consumerGroupOf(suite: string): string {
  return `puente.screening.spec.${BASE_PREFIX}${suite}`;
}

export function devIssuer(): DevIssuer {
  issuerDir ??= mkdtempSync(join(tmpdir(), 'puente-screening-spec-'));
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
}

export interface ScreeningTestApp {
  app: NestFastifyApplication;
  base: string;
  ds: DataSource;
  broker: BrokerClient;
  token(options?: TokenOptions): Promise<string>;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Response<T>>;
  close(): Promise<void>;
}

/** A log destination that keeps every line in memory. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    for (const line of chunk.toString().split('\n')) if (line.trim()) this.lines.push(line);
    callback();
  }

  get text(): string {
    return this.lines.join('\n');
  }
}

/** Starts screening for one suite with its own database (`<prefix><suite>_screening`) and consumer group. */
export async function startScreening(suite: string, options: { logs?: LogCapture; env?: Record<string, string> } = {}): Promise<ScreeningTestApp> {
  const issuer = devIssuer();
  await issuer.ensureKey();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PUENTE_DB_PREFIX: `${BASE_PREFIX}${suite}_`,
    AUTH_DEV_DIR: issuer.dir,
    RATE_LIMIT_PER_MINUTE: '0',
    ...options.env,
  };
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  let app: NestFastifyApplication;
  try {
    app = await createServiceApp({
      service: SERVICE.name,
      module: screeningAppModule({ consumerGroup: consumerGroupOf(suite), logDestination: options.logs }),
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
  const broker = createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId: `screening-spec-${suite}` });
  const tokens = new Map<string, string>();
  const harness: ScreeningTestApp = {
    app,
    base,
    ds: app.get(DataSource),
    broker,
    async token(o = {}) {
      const key = JSON.stringify(o);
      const cached = tokens.get(key);
      if (cached) return cached;
      const partnerId = o.partnerId ?? 'GT-MRC-01';
      const token = await issuer.mint({
        partnerId,
        node: o.node ?? 'GT',
        scopes: o.scopes ?? ALL_SCOPES,
        jurisdictions: o.jurisdictions ?? ['GT'],
        clientId: `${partnerId.toLowerCase()}-caseworker-app`,
      });
      tokens.set(key, token);
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
export function expectProblem(res: Response, status: number, type?: string): any {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  if (type) expect(res.body.type).toBe(`https://puente.dev/problems/${type}`);
  return res.body;
}

/** `field` of each error of a problem (given the response or the problem body). */
export function problemFields(resOrProblem: Response | { errors?: { field: string }[] }): string[] {
  const problem = 'text' in resOrProblem && 'headers' in resOrProblem ? (resOrProblem as Response).body : resOrProblem;
  return ((problem?.errors ?? []) as { field: string }[]).map((e) => e.field);
}

/** One intake event as intake publishes it: protobuf payload, CloudEvents headers, keyed by case. */
export async function publishIntake<D extends DescMessage>(
  broker: BrokerClient,
  caseId: string,
  schema: D,
  message: MessageInitShape<D>,
  eventId: string = randomUUID(),
): Promise<string> {
  await sendRaw(broker, Topics.intakeCase.name, [
    {
      key: caseId,
      value: Buffer.from(encodeEvent(schema, message)),
      headers: toHeaders({ id: eventId, type: schema.typeName, source: '/puente/gt/intake', time: new Date().toISOString(), subject: caseId }),
    },
  ]);
  return eventId;
}

/** One reception event as reception publishes it: protobuf payload, CloudEvents headers, keyed by case. */
export async function publishReception<D extends DescMessage>(
  broker: BrokerClient,
  caseId: string,
  schema: D,
  message: MessageInitShape<D>,
  eventId: string = randomUUID(),
): Promise<string> {
  await sendRaw(broker, Topics.receptionArrival.name, [
    {
      key: caseId,
      value: Buffer.from(encodeEvent(schema, message)),
      headers: toHeaders({ id: eventId, type: schema.typeName, source: '/puente/gt/reception', time: new Date().toISOString(), subject: caseId }),
    },
  ]);
  return eventId;
}

/** Waits until screening's consumer has applied (or skipped as a repeat) the event with this id. */
export async function consumed(t: ScreeningTestApp, eventId: string): Promise<void> {
  await eventually(`event ${eventId} consumed`, async () => (await t.ds.query(`SELECT 1 FROM inbox_message WHERE event_id = $1`, [eventId])).length === 1);
}

let referenceCounter = 0;

/** Publishes CaseOpened (and, unless `consent: false`, a screening ConsentRecorded) and waits until screening knows them. */
export async function openCase(
  t: ScreeningTestApp,
  options: { siteCode?: string; consent?: boolean; validUntil?: Date; validFrom?: Date } = {},
): Promise<{ caseId: string; consentId?: string }> {
  const caseId = randomUUID();
  referenceCounter += 1;
  await publishIntake(t.broker, caseId, CaseOpenedSchema, {
    caseId,
    reference: `GT-2026-${String(process.pid % 10_000).padStart(4, '0')}${String(referenceCounter).padStart(3, '0')}`,
    siteCode: options.siteCode ?? 'GT-MRC-01',
    custodyNode: 'GT',
    openedAt: toTimestamp(),
    nationality: 'HN',
  });
  let consentId: string | undefined;
  if (options.consent !== false) {
    consentId = randomUUID();
    await publishIntake(t.broker, caseId, ConsentRecordedSchema, {
      consentId,
      caseId,
      personId: randomUUID(),
      purpose: ConsentPurpose.SCREENING,
      validFrom: toTimestamp(options.validFrom ?? new Date(Date.now() - 60_000)),
      validUntil: options.validUntil ? toTimestamp(options.validUntil) : undefined,
      recordedAt: toTimestamp(),
    });
  }
  await eventually(`case ${caseId} in the read model`, async () => {
    const cases = await t.ds.query(`SELECT 1 FROM case_record WHERE case_id = $1`, [caseId]);
    if (!consentId) return cases.length === 1;
    const consents = await t.ds.query(`SELECT 1 FROM case_consent WHERE consent_id = $1`, [consentId]);
    return cases.length === 1 && consents.length === 1;
  });
  return { caseId, consentId };
}

export async function withdrawConsent(t: ScreeningTestApp, caseId: string, consentId: string, eventId?: string): Promise<string> {
  return publishIntake(
    t.broker,
    caseId,
    ConsentWithdrawnSchema,
    { consentId, caseId, personId: randomUUID(), purpose: ConsentPurpose.SCREENING, withdrawnAt: toTimestamp() },
    eventId,
  );
}

export interface DecodedEvent {
  type: EventType;
  key: string | null;
  headers: Record<string, string>;
  raw: RecordedEvent;
  message: PuenteEvent;
}

/** Reads the screening topic (a test consumer of its own) until `until` holds for the events of `caseId`. */
export async function screeningEventsOf(t: ScreeningTestApp, caseId: string, until: (events: DecodedEvent[]) => boolean, timeoutMs = 30_000): Promise<DecodedEvent[]> {
  const decode = (seen: RecordedEvent[]) =>
    seen
      .filter((e) => e.key === caseId)
      .map((e) => ({ type: e.headers.ce_type as EventType, key: e.key, headers: e.headers, raw: e, message: decodeEvent(e.headers.ce_type, e.value) }));
  const seen = await readTopic(t.broker, Topics.screening.name, { until: (s) => until(decode(s)), timeoutMs });
  return decode(seen);
}
