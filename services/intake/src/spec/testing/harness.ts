// Test harness (not production code): starts the real intake app (Fastify on a random port,
// real PostgreSQL, real Kafka), mints real tokens with the dev issuer, and talks HTTP to it.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type BrokerClient, createBrokerClient, parseBrokers } from '@puente/messaging';
import { createServiceApp } from '@puente/platform';
import { type CallOptions, type ServiceHarness, startServiceHarness, type TestResponse, type TokenOptions } from '@puente/testing';
import { DataSource } from 'typeorm';
import { type IntakeAppOptions, intakeAppModule, SERVICE } from '../../app.module';
import { IntakeConfig } from '../../config/intake.config';

export { expectProblem, problemFields, type CallOptions } from '@puente/testing';
export type Response<T = any> = TestResponse<T>;

export const ALL_SCOPES = ['cases:read', 'cases:write', 'persons:read', 'persons:write', 'persons:erase', 'consents:write', 'sites:admin', 'partners:admin'];

export interface IntakeTestApp extends ServiceHarness {
  app: NestFastifyApplication;
  ds: DataSource;
  config: IntakeConfig;
  databaseName: string;
  /** A token for a GT caseworker with every intake scope (unless overridden). */
  token(options?: TokenOptions): Promise<string>;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Response<T>>;
}

/**
 * Starts intake for one suite with its own database (`<prefix><suite>_intake`) and consumer group.
 * `env` is applied while the app is created (config is read then) and restored afterwards.
 */
export async function startIntake(suite: string, options: IntakeAppOptions & { env?: Record<string, string | undefined> } = {}): Promise<IntakeTestApp> {
  const harness = await startServiceHarness({
    name: 'intake',
    suite,
    defaultScopes: ALL_SCOPES,
    env: options.env,
    create: () =>
      createServiceApp({
        service: SERVICE.name,
        module: intakeAppModule({ consumerGroup: options.consumerGroup ?? `puente.intake.spec.${suite}`, timelineTopics: options.timelineTopics }),
        config: IntakeConfig,
        title: SERVICE.title,
        description: SERVICE.description,
        shutdownHooks: false,
      }),
  });
  const config = harness.app.get(IntakeConfig);
  return Object.assign(harness, { ds: harness.app.get(DataSource), config, databaseName: config.databaseName });
}

export function testBroker(clientId = 'intake-spec'): BrokerClient {
  return createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId });
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
