// Test harness (not production code): starts the real referral-routing app (Fastify on a random
// port, real PostgreSQL, real Kafka) with its own database and consumer group, mints real tokens
// with the dev issuer and talks HTTP to it.
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { type BrokerClient, createBrokerClient, parseBrokers, publishEventAs } from '@puente/messaging';
import { createServiceApp, type LogCapture } from '@puente/platform';
import { type CallOptions, consumedEvent, type ServiceHarness, startServiceHarness, type TestResponse, type TokenOptions } from '@puente/testing';
import { DataSource } from 'typeorm';
import { referralRoutingAppModule, SERVICE } from '../app.module';

export { expectProblem, problemFields, type CallOptions, type TokenOptions } from '@puente/testing';
export type Response<T = any> = TestResponse<T>;

export const ALL_SCOPES = ['directory:read', 'partners:admin', 'referrals:read', 'referrals:write', 'cases:read'];
const BASE_PREFIX = process.env.PUENTE_DB_PREFIX || 'puente_test_';

/** The consumer group of a suite: per database prefix, so concurrent runs with other prefixes do not share partitions. */
export function consumerGroupOf(suite: string): string {
  return `puente.referral-routing.spec.${BASE_PREFIX}${suite}`;
}

export interface ReferralRoutingTestApp extends ServiceHarness {
  ds: DataSource;
  broker: BrokerClient;
  token(options?: TokenOptions): Promise<string>;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Response<T>>;
}

/** Starts referral-routing for one suite with its own database (`<prefix><suite>_referral_routing`) and consumer group. */
export async function startReferralRouting(
  suite: string,
  options: { logs?: LogCapture; env?: Record<string, string>; scopes?: string[] } = {},
): Promise<ReferralRoutingTestApp> {
  const harness = await startServiceHarness({
    name: 'referral-routing',
    suite,
    defaultScopes: options.scopes ?? ALL_SCOPES,
    env: options.env,
    create: () =>
      createServiceApp({
        service: SERVICE.name,
        module: referralRoutingAppModule({ consumerGroup: consumerGroupOf(suite), logDestination: options.logs }),
        title: SERVICE.title,
        description: SERVICE.description,
        shutdownHooks: false,
      }),
  });
  // The app's own cluster (a two-node spec gives each node its own).
  const broker = createBrokerClient({ brokers: parseBrokers(options.env?.KAFKA_BROKERS ?? process.env.KAFKA_BROKERS), clientId: `referral-routing-spec-${suite}` });
  return Object.assign(harness, { ds: harness.app.get(DataSource), broker });
}

/** One event as its producing service publishes it: protobuf payload, CloudEvents headers, keyed by `key`. */
export async function publishEvent<D extends DescMessage>(
  broker: BrokerClient,
  topic: string,
  key: string,
  schema: D,
  message: MessageInitShape<D>,
  source = '/puente/gt/intake',
  eventId?: string,
): Promise<string> {
  return publishEventAs(broker, { topic, source, key }, schema, message, eventId);
}

/** Waits until the app's consumer has applied (or skipped as a repeat) the event with this id. */
export async function consumed(t: ReferralRoutingTestApp, eventId: string): Promise<void> {
  await consumedEvent(t.ds, eventId);
}
