// What kafkajs logs reaches the service log at a level an operator can alert on: conditions the
// client retries by itself (leadership moving, metadata not yet there after a topic was created,
// group rebalancing) are never errors; anything else kafkajs calls an error stays one.
import fc from 'fast-check';
import { logLevel } from 'kafkajs';
import pino from 'pino';
import { LogCapture } from '@puente/platform';
import { brokerLogLevel, createBrokerClient, type MessagingLogger } from './kafka-client';

/** Entries as kafkajs 2 writes them (network/connection.js, producer/sendMessages.js, consumer). */
const retried = [
  { message: 'Response Metadata(key: 3, version: 6)', error: 'This server is not the leader for that topic-partition' },
  { message: 'Failed to send messages: This server is not the leader for that topic-partition' },
  { message: 'Response Produce(key: 0, version: 7)', error: 'There is no leader for this topic-partition as we are in the middle of a leadership election' },
  { message: 'Response Metadata(key: 3, version: 6)', error: 'This server does not host this topic-partition' },
  { message: 'Response JoinGroup(key: 11, version: 5)', error: 'The group is rebalancing, so a rejoin is needed' },
  { message: 'Response FindCoordinator(key: 10, version: 2)', error: 'The group coordinator is not available' },
  { message: 'Response OffsetCommit(key: 8, version: 5)', error: 'This is not the correct coordinator for this group' },
  { message: 'Response CreateTopics(key: 19, version: 3)', error: 'This is not the correct controller for this cluster' },
];

describe('brokerLogLevel', () => {
  it.each(retried.map((log) => [`${log.message} ${log.error ?? ''}`.trim(), log] as const))('never writes a condition kafkajs retries at error: %s', (_, log) => {
    expect(brokerLogLevel(logLevel.ERROR, log)).toBe('debug');
  });

  it('writes a request timeout kafkajs retries as a warning', () => {
    expect(brokerLogLevel(logLevel.ERROR, { message: 'Response Produce(key: 0, version: 7)', error: 'The request timed out' })).toBe('warn');
  });

  it('keeps what needs someone at error', () => {
    expect(brokerLogLevel(logLevel.ERROR, { message: 'Crash: KafkaJSNumberOfRetriesExceeded: Connection error: connect ECONNREFUSED 127.0.0.1:9092' })).toBe('error');
    expect(brokerLogLevel(logLevel.ERROR, { message: 'Response SaslAuthenticate(key: 36, version: 1)', error: 'Request is not valid given the current SASL state' })).toBe('error');
    expect(brokerLogLevel(logLevel.ERROR, { message: 'Response Produce(key: 0, version: 7)', error: 'The request included a message larger than the max message size the server will accept' })).toBe('error');
  });

  it('never raises a level, and leaves errors it does not know alone (property)', () => {
    const rank = { error: 0, warn: 1, info: 2, debug: 3 } as const;
    const levels = fc.constantFrom(logLevel.ERROR, logLevel.WARN, logLevel.INFO, logLevel.DEBUG);
    fc.assert(
      fc.property(levels, fc.string(), fc.option(fc.string(), { nil: undefined }), (level, message, error) => {
        const to = brokerLogLevel(level, { message, error });
        const own = level === logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : level === logLevel.INFO ? 'info' : 'debug';
        expect(rank[to]).toBeGreaterThanOrEqual(rank[own]);
        // random text does not contain a retried condition: an error stays an error
        if (level === logLevel.ERROR) expect(to).toBe('error');
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...retried), fc.string(), fc.string(), (entry, before, after) => {
        const log = entry.error ? { message: `${before}${entry.message}`, error: `${before}${entry.error}${after}` } : { message: `${before}${entry.message}${after}` };
        expect(brokerLogLevel(logLevel.ERROR, log)).not.toBe('error');
      }),
    );
  });
});

describe('the broker client writes kafkajs log entries at those levels', () => {
  it('goes through the client kafkajs uses (logCreator) into the service log', () => {
    const capture = new LogCapture();
    const out = pino({ level: 'debug', formatters: { level: (label) => ({ level: label }) } }, capture);
    const logger: MessagingLogger = {
      log: (m, context) => out.info({ context }, m),
      warn: (m, context) => out.warn({ context }, m),
      error: (m, context) => out.error({ context }, m),
      debug: (m, context) => out.debug({ context }, m),
    };
    // No connection is made: only kafkajs's root logger is used.
    const client = createBrokerClient({ brokers: ['127.0.0.1:1'], clientId: 'log-levels', logger });
    const kafkaLog = client.logger();
    kafkaLog.error('Response Metadata(key: 3, version: 6)', { broker: '127.0.0.1:9092', error: 'This server is not the leader for that topic-partition', correlationId: 7 });
    kafkaLog.error('Response Produce(key: 0, version: 7)', { broker: '127.0.0.1:9092', error: 'The request timed out' });
    kafkaLog.error('Crash: KafkaJSNumberOfRetriesExceeded: Connection error', { groupId: 'g' });

    const records = capture.records() as { level: string; msg: string; context: string }[];
    expect(records.map((r) => [r.level, r.msg.split(' {')[0]])).toEqual([
      ['debug', 'Response Metadata(key: 3, version: 6)'],
      ['warn', 'Response Produce(key: 0, version: 7)'],
      ['error', 'Crash: KafkaJSNumberOfRetriesExceeded: Connection error'],
    ]);
    expect(records[0].msg).toContain('This server is not the leader for that topic-partition');
    expect(records.every((r) => r.context === 'kafka')).toBe(true);
  });
});
