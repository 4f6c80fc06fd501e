// Test harness (not production code): starts the real reintegration app (Fastify on a random
// port, real PostgreSQL, real Kafka), mints real tokens with the dev issuer, publishes intake and
// reception events the way those services do (CloudEvents headers, protobuf payload) and reads
// reintegration's own topic back.
import { randomUUID } from 'node:crypto';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import {
  AgeBand,
  ConsentPurpose,
  ConsentRecordedSchema,
  PersonRegisteredSchema,
  Sex,
  Topics,
  toTimestamp,
  type VulnerabilityFlag,
} from '@puente/contracts';
import { type BrokerClient, createBrokerClient, type DecodedEvent, parseBrokers, publishEventAs, readEventsOf } from '@puente/messaging';
import { createServiceApp, type LogCapture } from '@puente/platform';
import { type CallOptions, consumedEvent, type ServiceHarness, startServiceHarness, type TestResponse, type TokenOptions } from '@puente/testing';
import { DataSource } from 'typeorm';
import { reintegrationAppModule, SERVICE } from '../app.module';
import type { Clock } from '../common/clock';

export { expectProblem, problemFields, type CallOptions, type TokenOptions } from '@puente/testing';
export type { DecodedEvent } from '@puente/messaging';
export type Response<T = any> = TestResponse<T>;

/** A reintegration caseworker at a GT center. */
export const CASEWORKER_SCOPES = ['reintegration:read', 'reintegration:write'];
const BASE_PREFIX = process.env.PUENTE_DB_PREFIX || 'puente_test_';

export interface ReintegrationTestApp extends ServiceHarness {
  ds: DataSource;
  broker: BrokerClient;
  token(options?: TokenOptions): Promise<string>;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Response<T>>;
}

/**
 * Starts reintegration for one suite with its own database (`<prefix><suite>_reintegration`) and
 * consumer group. The scheduled follow-up sweep is off unless `env` turns it on: tests call
 * the sweep with their own clock.
 */
export async function startReintegration(suite: string, options: { logs?: LogCapture; env?: Record<string, string>; clock?: Clock } = {}): Promise<ReintegrationTestApp> {
  const harness = await startServiceHarness({
    name: 'reintegration',
    suite,
    defaultScopes: CASEWORKER_SCOPES,
    env: { FOLLOW_UP_SWEEP_INTERVAL_MS: '0', ...options.env },
    create: () =>
      createServiceApp({
        service: SERVICE.name,
        module: reintegrationAppModule({ consumerGroup: `puente.reintegration.spec.${BASE_PREFIX}${suite}`, logDestination: options.logs, clock: options.clock }),
        title: SERVICE.title,
        description: SERVICE.description,
        shutdownHooks: false,
      }),
  });
  // The app's own cluster (a two-node spec gives each node its own).
  const broker = createBrokerClient({ brokers: parseBrokers(options.env?.KAFKA_BROKERS ?? process.env.KAFKA_BROKERS), clientId: `reintegration-spec-${suite}` });
  return Object.assign(harness, { ds: harness.app.get(DataSource), broker });
}

/** One event as its producing service publishes it (intake, reception or referral-routing's directory): protobuf payload, CloudEvents headers, keyed by case (partner for the directory). */
export async function publish<D extends DescMessage>(
  t: Pick<ReintegrationTestApp, 'broker'>,
  from: 'intake' | 'reception' | 'referral-routing',
  key: string,
  schema: D,
  message: MessageInitShape<D>,
  eventId?: string,
): Promise<string> {
  const topic = { intake: Topics.intakeCase.name, reception: Topics.receptionArrival.name, 'referral-routing': Topics.directory.name }[from];
  return publishEventAs(t.broker, { topic, source: `/puente/gt/${from}`, key }, schema, message, eventId);
}

/** Waits until reintegration's consumer has applied (or skipped as a repeat) the event with this id. */
export async function consumed(t: ReintegrationTestApp, eventId: string): Promise<void> {
  await consumedEvent(t.ds, eventId);
}

/**
 * A person registered on a case at intake (an adult woman unless told otherwise) with, unless
 * `consent: false`, a reintegration_support consent in force; waits until reintegration knows them.
 */
export async function returnee(
  t: ReintegrationTestApp,
  options: { caseId?: string; consent?: boolean; ageBand?: AgeBand; sex?: Sex; nationality?: string; flags?: VulnerabilityFlag[]; siteCode?: string } = {},
): Promise<{ caseId: string; personId: string; consentId?: string }> {
  const caseId = options.caseId ?? randomUUID();
  const personId = randomUUID();
  let last = await publish(t, 'intake', caseId, PersonRegisteredSchema, {
    personId,
    caseId,
    siteCode: options.siteCode ?? 'GT-MRC-01',
    ageBand: options.ageBand ?? AgeBand.AGED_18_TO_59,
    sex: options.sex ?? Sex.FEMALE,
    nationality: options.nationality ?? 'GT',
    vulnerabilityFlags: options.flags ?? [],
    registeredAt: toTimestamp(),
  });
  let consentId: string | undefined;
  if (options.consent !== false) consentId = await consentTo(t, caseId, personId, { wait: false }).then((c) => ((last = c.eventId), c.consentId));
  await consumed(t, last);
  return { caseId, personId, consentId };
}

/** Publishes a reintegration_support ConsentRecorded of a person on a case and (by default) waits until reintegration knows it. */
export async function consentTo(t: ReintegrationTestApp, caseId: string, personId: string, options: { wait?: boolean } = {}): Promise<{ consentId: string; eventId: string }> {
  const consentId = randomUUID();
  const eventId = await publish(t, 'intake', caseId, ConsentRecordedSchema, {
    consentId,
    caseId,
    personId,
    purpose: ConsentPurpose.REINTEGRATION_SUPPORT,
    validFrom: toTimestamp(new Date(Date.now() - 60_000)),
    recordedAt: toTimestamp(),
  });
  if (options.wait !== false) await consumed(t, eventId);
  return { consentId, eventId };
}

/** Reads reintegration's topic (a test consumer of its own) until `until` holds for the events of `caseId`. */
export async function reintegrationEventsOf(t: ReintegrationTestApp, caseId: string, until: (events: DecodedEvent[]) => boolean, timeoutMs = 30_000): Promise<DecodedEvent[]> {
  return readEventsOf(t.broker, Topics.reintegrationPlan.name, caseId, until, timeoutMs);
}
