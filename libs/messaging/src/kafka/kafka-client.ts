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

/**
 * Broker conditions kafkajs logs at error while it retries them itself: leadership moving, metadata
 * not yet propagated after a topic was created (every `npm start`), a group rebalancing or its
 * coordinator moving. An operator alerts on level=error, and these need no one: if retrying does
 * not help, the caller's own error (relay, consumer) says so. Matched on kafkajs's error texts.
 */
const RETRIED_BY_THE_CLIENT: readonly { text: string; level: 'warn' | 'debug' }[] = [
  { text: 'This server is not the leader for that topic-partition', level: 'debug' },
  { text: 'There is no leader for this topic-partition', level: 'debug' },
  { text: 'The preferred leader was not available', level: 'debug' },
  { text: 'The leader epoch in the request is', level: 'debug' },
  { text: 'This server does not host this topic-partition', level: 'debug' },
  { text: 'This is not the correct controller for this cluster', level: 'debug' },
  { text: 'The group is rebalancing', level: 'debug' },
  { text: 'The group coordinator is not available', level: 'debug' },
  { text: 'This is not the correct coordinator for this group', level: 'debug' },
  { text: "The coordinator is loading and hence can't process requests", level: 'debug' },
  // slowness is worth seeing, but kafkajs retries it
  { text: 'The request timed out', level: 'warn' },
];

export type BrokerLogLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * The level a kafkajs log entry is written at: kafkajs's own, except that the conditions it
 * retries by itself (RETRIED_BY_THE_CLIENT) are never errors.
 */
export function brokerLogLevel(level: logLevel, log: { message: string; error?: unknown }): BrokerLogLevel {
  const own: BrokerLogLevel = level === logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : level === logLevel.INFO ? 'info' : 'debug';
  if (own !== 'error') return own;
  const text = `${log.message} ${typeof log.error === 'string' ? log.error : ''}`;
  return RETRIED_BY_THE_CLIENT.find((c) => text.includes(c.text))?.level ?? 'error';
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
        const to = brokerLogLevel(level, log);
        if (to === 'error') logger.error(line, 'kafka');
        else if (to === 'warn') logger.warn(line, 'kafka');
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

/**
 * The broker's error type (`NOT_LEADER_FOR_PARTITION`, ...) of `error` or of an error it wraps
 * (kafkajs wraps the broker's refusal in retry errors), when it is one of `types`; else undefined.
 */
export function brokerRefusalType(error: unknown, types: ReadonlySet<string>): string | undefined {
  for (let e = error as { type?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.type === 'string' && types.has(e.type)) return e.type;
  }
  return undefined;
}

/** The Kafka error type when `error` is a permanent refusal of the message (see REFUSED_FOR_GOOD), else undefined. */
export function permanentRefusal(error: unknown): string | undefined {
  return brokerRefusalType(error, REFUSED_FOR_GOOD);
}
