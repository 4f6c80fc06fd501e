// Test harness (not production code): starts the real reception app (Fastify on a random port,
// real PostgreSQL, real Kafka), mints real tokens with the dev issuer and talks HTTP to it.
import { createBrokerClient, parseBrokers, type BrokerClient } from '@puente/messaging';
import { createServiceApp, type LogCapture } from '@puente/platform';
import { type CallOptions, type ServiceHarness, startServiceHarness, type TestResponse, type TokenOptions } from '@puente/testing';
import { DataSource } from 'typeorm';
import { receptionAppModule, SERVICE } from '../app.module';

export { expectProblem, problemFields, type CallOptions, type TokenOptions } from '@puente/testing';
export type Response<T = any> = TestResponse<T>;

/** A reception desk at a GT center: arrivals, centers admin and medical notes. */
export const STAFF_SCOPES = ['arrivals:read', 'arrivals:write', 'centers:admin', 'medical:read'];
const BASE_PREFIX = process.env.PUENTE_DB_PREFIX || 'puente_test_';

export interface ReceptionTestApp extends ServiceHarness {
  ds: DataSource;
  broker: BrokerClient;
  token(options?: TokenOptions): Promise<string>;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Response<T>>;
}

/** Starts reception for one suite with its own database (`<prefix><suite>_reception`) and consumer group. */
export async function startReception(suite: string, options: { logs?: LogCapture; env?: Record<string, string> } = {}): Promise<ReceptionTestApp> {
  const harness = await startServiceHarness({
    name: 'reception',
    suite,
    defaultScopes: STAFF_SCOPES,
    env: options.env,
    create: () =>
      createServiceApp({
        service: SERVICE.name,
        module: receptionAppModule({ consumerGroup: `puente.reception.spec.${BASE_PREFIX}${suite}`, logDestination: options.logs }),
        title: SERVICE.title,
        description: SERVICE.description,
        shutdownHooks: false,
      }),
  });
  const broker = createBrokerClient({ brokers: parseBrokers(process.env.KAFKA_BROKERS), clientId: `reception-spec-${suite}` });
  return Object.assign(harness, { ds: harness.app.get(DataSource), broker });
}
