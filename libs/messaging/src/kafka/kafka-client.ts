import { Kafka, logLevel, Partitioners, type LogEntry, type Producer } from 'kafkajs';

/** The small logging surface messaging needs; Nest's Logger and pino both fit it. */
export interface MessagingLogger {
  log(message: string, context?: string): void;
  warn(message: string, context?: string): void;
  error(message: string, context?: string): void;
  debug?(message: string, context?: string): void;
}

export const silentLogger: MessagingLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

export interface BrokerConnection {
  brokers: string[];
  clientId: string;
  logger?: MessagingLogger;
}

/** The broker client. Only this library knows it is kafkajs, so the client can be swapped. */
export type BrokerClient = Kafka;
export type EventProducer = Producer;

export function parseBrokers(value: string | undefined): string[] {
  return (value ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

export function createBrokerClient({ brokers, clientId, logger = silentLogger }: BrokerConnection): BrokerClient {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        // Our producers retry a bounded number of times on purpose: the outbox resends what was
        // not acknowledged and consumers' inboxes drop duplicates, so this advice does not apply.
        if (message.startsWith('Limiting retries for the idempotent producer')) return;
        // kafkajs's own fields (broker, topic, error text) are operational, never payloads.
        const line = `${message} ${JSON.stringify(rest)}`;
        if (level === logLevel.ERROR) logger.error(line, 'kafka');
        else if (level === logLevel.WARN) logger.warn(line, 'kafka');
        else logger.debug?.(line, 'kafka');
      },
  });
}

/** An idempotent producer (acks=all, one in-flight request) so retries never reorder or duplicate. */
export function createIdempotentProducer(client: BrokerClient): EventProducer {
  return client.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // murmur2, as the Java client: a case key lands on the same partition whoever produces it.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/**
 * Kafka refusals that no retry will change for this message (too large, malformed, a name no
 * topic may have): the relay sets such a row aside instead of blocking every row after it.
 * Everything else (broker down, leader moving, timeouts, authorization) is worth waiting for.
 */
const REFUSED_FOR_GOOD = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_TOPIC_EXCEPTION', 'INVALID_RECORD', 'CORRUPT_MESSAGE']);

/** The Kafka error type when `error` is a permanent refusal of the message (see REFUSED_FOR_GOOD), else undefined. */
export function permanentRefusal(error: unknown): string | undefined {
  for (let e = error as { type?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.type === 'string' && REFUSED_FOR_GOOD.has(e.type)) return e.type;
  }
  return undefined;
}
