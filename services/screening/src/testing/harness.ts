// Test harness (not production code): starts the real screening app (Fastify on a random port,
// real PostgreSQL, real Kafka), mints real tokens with the dev issuer, publishes intake events
// the way intake does (CloudEvents headers, protobuf payload) and talks HTTP to the app.
import { randomUUID } from 'node:crypto';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import {
  AgeBand,
  CaseOpenedSchema,
  ConsentPurpose,
  ConsentRecordedSchema,
  ConsentWithdrawnSchema,
  PersonRegisteredSchema,
  Sex,
  Topics,
  toTimestamp,
} from '@puente/contracts';
import { type BrokerClient, createBrokerClient, type DecodedEvent, parseBrokers, publishEventAs, readEventsOf } from '@puente/messaging';
import { createServiceApp, LogCapture } from '@puente/platform';
import { type CallOptions, consumedEvent, eventually, type ServiceHarness, startServiceHarness, type TestResponse, type TokenOptions } from '@puente/testing';

export { expectProblem, problemFields, type CallOptions, type TokenOptions } from '@puente/testing';
export type { DecodedEvent } from '@puente/messaging';
export type Response<T = any> = TestResponse<T>;
import { DataSource } from 'typeorm';
import { SERVICE, screeningAppModule } from '../app.module';

export const ALL_SCOPES = ['screening:read', 'screening:write', 'screening:admin'];
const BASE_PREFIX = process.env.PUENTE_DB_PREFIX || 'puente_test_';

/** The consumer group of a suite: per database prefix, so concurrent runs with other prefixes do not share partitions. */
export function consumerGroupOf(suite: string): string {
  return `puente.screening.spec.${BASE_PREFIX}${suite}`;
}

export interface ScreeningTestApp extends ServiceHarness {
  ds: DataSource;
  broker: BrokerClient;
  token(options?: TokenOptions): Promise<string>;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Response<T>>;
}

/** Starts screening for one suite with its own database (`<prefix><suite>_screening`) and consumer group. */
export async function startScreening(suite: string, options: { logs?: LogCapture; env?: Record<string, string> } = {}): Promise<ScreeningTestApp> {
  const harness = await startServiceHarness({
    name: 'screening',
    suite,
    defaultScopes: ALL_SCOPES,
    env: options.env,
    create: () =>
      createServiceApp({
        service: SERVICE.name,
        module: screeningAppModule({ consumerGroup: consumerGroupOf(suite), logDestination: options.logs }),
        title: SERVICE.title,
        description: SERVICE.description,
        shutdownHooks: false,
      }),
  });
  const broker = createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId: `screening-spec-${suite}` });
  return Object.assign(harness, { ds: harness.app.get(DataSource), broker });
}

/** One intake event as intake publishes it: protobuf payload, CloudEvents headers, keyed by case. */
export async function publishIntake<D extends DescMessage>(broker: BrokerClient, caseId: string, schema: D, message: MessageInitShape<D>, eventId?: string): Promise<string> {
  return publishEventAs(broker, { topic: Topics.intakeCase.name, source: '/puente/gt/intake', key: caseId }, schema, message, eventId);
}

/** One reception event as reception publishes it: protobuf payload, CloudEvents headers, keyed by case. */
export async function publishReception<D extends DescMessage>(broker: BrokerClient, caseId: string, schema: D, message: MessageInitShape<D>, eventId?: string): Promise<string> {
  return publishEventAs(broker, { topic: Topics.receptionArrival.name, source: '/puente/gt/reception', key: caseId }, schema, message, eventId);
}

/** Waits until screening's consumer has applied (or skipped as a repeat) the event with this id. */
export async function consumed(t: ScreeningTestApp, eventId: string): Promise<void> {
  await consumedEvent(t.ds, eventId);
}

let referenceCounter = 0;

/**
 * Publishes CaseOpened and PersonRegistered (an adult Honduran woman unless told otherwise) and,
 * unless `consent: false`, her screening ConsentRecorded; waits until screening knows them.
 */
export async function openCase(
  t: ScreeningTestApp,
  options: { siteCode?: string; consent?: boolean; validUntil?: Date; validFrom?: Date; nationality?: string; ageBand?: AgeBand } = {},
): Promise<{ caseId: string; personId: string; consentId?: string }> {
  const caseId = randomUUID();
  const personId = randomUUID();
  referenceCounter += 1;
  await publishIntake(t.broker, caseId, CaseOpenedSchema, {
    caseId,
    reference: `GT-2026-${String(process.pid % 10_000).padStart(4, '0')}${String(referenceCounter).padStart(3, '0')}`,
    siteCode: options.siteCode ?? 'GT-MRC-01',
    custodyNode: 'GT',
    openedAt: toTimestamp(),
    nationality: 'HN',
  });
  await registerPerson(t, caseId, personId, { nationality: options.nationality, ageBand: options.ageBand, wait: false });
  let consentId: string | undefined;
  if (options.consent !== false) {
    consentId = randomUUID();
    await publishIntake(t.broker, caseId, ConsentRecordedSchema, {
      consentId,
      caseId,
      personId,
      purpose: ConsentPurpose.SCREENING,
      validFrom: toTimestamp(options.validFrom ?? new Date(Date.now() - 60_000)),
      validUntil: options.validUntil ? toTimestamp(options.validUntil) : undefined,
      recordedAt: toTimestamp(),
    });
  }
  await eventually(`case ${caseId} in the read model`, async () => {
    const cases = await t.ds.query(`SELECT 1 FROM case_record WHERE case_id = $1`, [caseId]);
    const members = await t.ds.query(`SELECT 1 FROM case_member WHERE case_id = $1 AND person_id = $2`, [caseId, personId]);
    if (!consentId) return cases.length === 1 && members.length === 1;
    const consents = await t.ds.query(`SELECT 1 FROM case_consent WHERE consent_id = $1`, [consentId]);
    return cases.length === 1 && members.length === 1 && consents.length === 1;
  });
  return { caseId, personId, consentId };
}

/** Publishes PersonRegistered for a person on a case (minimized attributes, as intake does) and, by default, waits until screening knows them. */
export async function registerPerson(
  t: ScreeningTestApp,
  caseId: string,
  personId: string = randomUUID(),
  options: { nationality?: string; ageBand?: AgeBand; sex?: Sex; wait?: boolean } = {},
): Promise<string> {
  const eventId = await publishIntake(t.broker, caseId, PersonRegisteredSchema, {
    personId,
    caseId,
    siteCode: 'GT-MRC-01',
    ageBand: options.ageBand ?? AgeBand.AGED_18_TO_59,
    sex: options.sex ?? Sex.FEMALE,
    nationality: options.nationality ?? 'HN',
    registeredAt: toTimestamp(),
  });
  if (options.wait !== false) await consumed(t, eventId);
  return personId;
}

/** Publishes a screening ConsentRecorded of a person on a case and waits until screening knows it. */
export async function consentToScreening(t: ScreeningTestApp, caseId: string, personId: string): Promise<string> {
  const consentId = randomUUID();
  await consumed(
    t,
    await publishIntake(t.broker, caseId, ConsentRecordedSchema, {
      consentId,
      caseId,
      personId,
      purpose: ConsentPurpose.SCREENING,
      validFrom: toTimestamp(new Date(Date.now() - 60_000)),
      recordedAt: toTimestamp(),
    }),
  );
  return consentId;
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

/** Reads the screening topic (a test consumer of its own) until `until` holds for the events of `caseId`. */
export async function screeningEventsOf(t: ScreeningTestApp, caseId: string, until: (events: DecodedEvent[]) => boolean, timeoutMs = 30_000): Promise<DecodedEvent[]> {
  return readEventsOf(t.broker, Topics.screening.name, caseId, until, timeoutMs);
}
