import type { RetryPolicy } from '../consumer/retry-policy';
import type { TopicDeclaration } from '../kafka/topic-admin';

export const BROKER_CLIENT = 'puente:BROKER_CLIENT';
export const MESSAGING_OPTIONS = 'puente:MESSAGING_OPTIONS';

export interface MessagingModuleOptions {
  /** Topics this service writes or reads; created at start (with their DLQs) when missing. */
  topics: readonly TopicDeclaration[];
  /** Consumer group; default from the service and its database (see consumerGroupFor). */
  consumerGroup?: string;
  retry?: RetryPolicy;
  relay?: { batchSize?: number; pollIntervalMs?: number; retentionMs?: number; enabled?: boolean };
}

/**
 * The inbox lives in the service's database, so a consumer group must map to exactly one
 * database: two deployments sharing a broker (a developer's `npm start` next to tests or a
 * benchmark) would otherwise split each other's events. The standard database keeps the plain
 * `puente.<service>` name.
 */
export function consumerGroupFor(service: string, databaseName: string): string {
  const standard = `puente_${service.replace(/-/g, '_')}`;
  return databaseName === standard ? `puente.${service}` : `puente.${service}.${databaseName}`;
}
