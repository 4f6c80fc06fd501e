// Outbox command line: what the relay set aside because Kafka refused it for good, and putting
// it back in line once the cause is fixed (see docs/messaging.md, "Refused for good").
//   npm run outbox -- failed --service intake [--json]
//   npm run outbox -- requeue --service intake (--id <id> [--id <id> ...] | --all)
// The database is found like the service finds it (<SERVICE>_DATABASE_URL, else DATABASE_URL).
// Exit codes: 0 done, 1 some --id was not set aside, 2 usage error, 3 database not readable.
import { parseArgs } from 'node:util';
import { listFailedOutboxEvents, requeueFailedOutboxEvents } from '@puente/messaging';
import { COMMAND_LINE, commandOf, connectService, runCommand, say, UsageError } from './service-database';

const USAGE = `Usage:
  outbox failed --service <name> [--json]
  outbox requeue --service <name> (--id <id> [--id <id> ...] | --all)

failed   lists the events Kafka refused for good (ids, type, topic, size, error; never payloads).
requeue  puts them back in line; the relay publishes them next, with their original event ids.
Exit codes: 0 done, 1 an --id was not among the set-aside events, 2 usage error, 3 database not readable.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    ...COMMAND_LINE,
    args: argv,
    options: {
      service: { type: 'string' },
      id: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    say(USAGE);
    return 0;
  }
  const command = commandOf(positionals, ['failed', 'requeue']);
  if (!values.service) throw new UsageError(`${command} needs --service <name>`);

  if (command === 'failed') {
    if (values.id || values.all) throw new UsageError('failed takes no --id or --all');
  } else {
    if (values.json) throw new UsageError('requeue takes no --json');
    if (Boolean(values.all) === (values.id !== undefined)) throw new UsageError('requeue needs either --id <id> (repeatable) or --all');
    for (const id of values.id ?? []) if (!/^[1-9][0-9]{0,18}$/.test(id)) throw new UsageError(`--id must be an outbox row id as listed by "failed", not ${JSON.stringify(id)}`);
  }

  const { client, where } = await connectService(values.service, { table: 'outbox_message_failed', what: 'outbox', application: 'puente-outbox' });
  try {
    if (command === 'failed') {
      const events = await listFailedOutboxEvents(client);
      if (values.json) {
        for (const e of events) say(JSON.stringify(e));
      } else {
        say(`${events.length} event${events.length === 1 ? '' : 's'} set aside (${where})`);
        for (const e of events) say(`  ${e.id}  ${e.eventType} on ${e.topic}, ${e.payloadBytes} bytes, event ${e.eventId}, failed ${e.failedAt}: ${e.lastError}`);
      }
      return 0;
    }
    const requested = values.id ? [...new Set(values.id)] : [];
    const moved = await requeueFailedOutboxEvents(client, values.all ? 'all' : { ids: requested });
    say(`put back in line: ${moved.length} event${moved.length === 1 ? '' : 's'}${moved.length ? ` (${moved.join(', ')})` : ''} (${where})`);
    const missing = requested.filter((id) => !moved.includes(id));
    if (missing.length > 0) {
      say(`not set aside, left alone: ${missing.join(', ')}`);
      return 1;
    }
    return 0;
  } finally {
    await client.end();
  }
}

runCommand('outbox', USAGE, main);
