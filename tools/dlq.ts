// Dead-letter command line: what consumers gave up on, and sending it back once the cause is
// fixed (see docs/messaging.md, "Dead letters").
//   npm run dlq -- list --topic puente.intake.case.v1 [--group <consumer group>] [--json]
//   npm run dlq -- replay --topic puente.intake.case.v1 (--event <ce_id> [--event ...] | --all) [--group <consumer group>]
// The broker is KAFKA_BROKERS (default 127.0.0.1:9092), as for the services; `.env` is read.
// Exit codes: 0 done, 1 an --event was not among the dead letters (or cannot be replayed),
// 2 usage error, 3 Kafka or the topic cannot be read.
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { loadEnvFile } from 'node:process';
import {
  createBrokerClient,
  type DeadLetter,
  deadLetterTopicFor,
  parseBrokers,
  pingBroker,
  readDeadLetters,
  replayDeadLetters,
  UnknownTopicError,
} from '@puente/messaging';
import { COMMAND_LINE, commandOf, readFailure, runCommand, say, UsageError } from './service-database';

const USAGE = `Usage:
  dlq list --topic <topic> [--group <consumer group>] [--json]
  dlq replay --topic <topic> (--event <ce_id> [--event <ce_id> ...] | --all) [--group <consumer group>]

<topic> is the original topic (puente.intake.case.v1) or its DLQ (puente.intake.case.v1.dlq).
list    prints each dead letter: position, event id and type, the consumer group and handler
        that gave up, attempts and the error (never the payload).
replay  publishes them again to their original topic with the same key, value and event id;
        the group that failed applies them, groups that applied them already skip them.
        Messages without a CloudEvents envelope are listed but never replayed.
Exit codes: 0 done, 1 an --event was not found or cannot be replayed, 2 usage error, 3 Kafka or the topic not readable.`;

function line(l: DeadLetter): string {
  const where = `${l.dlqTopic}[${l.partition}]@${l.offset}`;
  const what = l.eventId ? `${l.eventType} ${l.eventId}` : 'no CloudEvents envelope (not replayable)';
  const who = l.consumerGroup ? `group ${l.consumerGroup}${l.handler ? `, handler ${l.handler}` : ''}` : 'group unknown';
  // dlq_error_message already starts with the error's name (`Error: ...`, `QueryFailedError: ...`).
  return `  ${where}  ${what}; ${who}; ${l.attempts ?? '?'} attempt(s) at ${l.failedAt ?? '?'}: ${l.errorMessage ?? l.errorType ?? 'unknown error'}`;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    ...COMMAND_LINE,
    args: argv,
    options: {
      topic: { type: 'string' },
      group: { type: 'string' },
      event: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    say(USAGE);
    return 0;
  }
  const command = commandOf(positionals, ['list', 'replay']);
  if (!values.topic) throw new UsageError(`${command} needs --topic <topic>`);
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(values.topic)) throw new UsageError('--topic must be a Kafka topic name');
  if (command === 'list' && (values.event || values.all)) throw new UsageError('list takes no --event or --all');
  if (command === 'replay') {
    if (values.json) throw new UsageError('replay takes no --json');
    if (Boolean(values.all) === (values.event !== undefined)) throw new UsageError('replay needs either --event <ce_id> (repeatable) or --all');
  }

  if (process.env.NODE_ENV !== 'test' && existsSync('.env')) loadEnvFile('.env');
  const brokers = parseBrokers(process.env.KAFKA_BROKERS);
  const broker = createBrokerClient({ brokers, clientId: 'puente-dlq' });
  try {
    await pingBroker(broker, 5000);
  } catch (error) {
    throw readFailure(`cannot reach Kafka at ${brokers.join(',')}: ${(error as Error).message}`);
  }
  let letters: DeadLetter[];
  try {
    letters = await readDeadLetters(broker, values.topic);
  } catch (error) {
    if (error instanceof UnknownTopicError) throw readFailure(`${error.message} (is ${deadLetterTopicFor(values.topic)} the right name?)`);
    throw error;
  }
  if (values.group) letters = letters.filter((l) => l.consumerGroup === values.group);
  const scope = `${deadLetterTopicFor(values.topic)}${values.group ? `, group ${values.group}` : ''}`;

  if (command === 'list') {
    if (values.json) {
      for (const { record: _record, ...l } of letters) say(JSON.stringify(l));
    } else {
      say(`${letters.length} dead letter${letters.length === 1 ? '' : 's'} in ${scope}`);
      for (const l of letters) say(line(l));
    }
    return 0;
  }

  let chosen: DeadLetter[];
  let code = 0;
  if (values.all) {
    chosen = letters.filter((l) => l.replayable);
    const skipped = letters.length - chosen.length;
    if (skipped > 0) say(`skipped ${skipped} without a CloudEvents envelope (they would only fail again)`);
  } else {
    const wanted = [...new Set(values.event)];
    chosen = letters.filter((l) => l.eventId !== undefined && wanted.includes(l.eventId));
    const missing = wanted.filter((id) => !chosen.some((l) => l.eventId === id));
    if (missing.length > 0) {
      say(`not among the dead letters of ${scope}: ${missing.join(', ')}`);
      code = 1;
    }
  }
  await replayDeadLetters(broker, chosen);
  say(`replayed ${chosen.length} dead letter${chosen.length === 1 ? '' : 's'} from ${scope}${chosen.length ? `: ${[...new Set(chosen.map((l) => l.eventId))].join(', ')}` : ''}`);
  return code;
}

runCommand('dlq', USAGE, main, { forceExit: true });
