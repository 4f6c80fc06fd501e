// Federation command line: what this node sent to other nodes that no receipt answered yet
// (see docs/federation.md).
//   npm run federation -- unacknowledged --service intake [--older-than 300] [--json]
// The database is found like the service finds it (<SERVICE>_DATABASE_URL, else DATABASE_URL).
// Exit codes: 0 every envelope answered, 1 some are waiting, 2 usage error, 3 database not readable.
import { parseArgs } from 'node:util';
import { DEFAULT_UNACKNOWLEDGED_AFTER_SECONDS, listUnacknowledged } from '@puente/federation';
import { COMMAND_LINE, commandOf, connectService, runCommand, say, UsageError } from './service-database';

const USAGE = `Usage:
  federation unacknowledged --service <name> [--older-than <seconds>] [--json]

unacknowledged  lists the envelopes sent to other nodes more than --older-than seconds ago
                (default ${DEFAULT_UNACKNOWLEDGED_AFTER_SECONDS}) without a receipt: envelope id, node, kind, age (never payloads).
Exit codes: 0 none waiting, 1 some waiting, 2 usage error, 3 database not readable.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    ...COMMAND_LINE,
    args: argv,
    options: {
      service: { type: 'string' },
      'older-than': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    say(USAGE);
    return 0;
  }
  commandOf(positionals, ['unacknowledged']);
  if (!values.service) throw new UsageError('unacknowledged needs --service <name>');
  const olderThan = values['older-than'] === undefined ? DEFAULT_UNACKNOWLEDGED_AFTER_SECONDS : Number(values['older-than']);
  if (!Number.isInteger(olderThan) || olderThan < 0) throw new UsageError('--older-than must be a whole number of seconds');

  const { client, where } = await connectService(values.service, { table: 'federation_sent_envelope', what: 'exchange records', application: 'puente-federation' });
  try {
    const waiting = await listUnacknowledged(client, { olderThanSeconds: olderThan });
    if (values.json) {
      for (const e of waiting) say(JSON.stringify(e));
    } else {
      say(`${waiting.length} envelope${waiting.length === 1 ? '' : 's'} without a receipt after ${olderThan} s (${where})`);
      for (const e of waiting) say(`  ${e.envelopeId}  ${e.kind} to ${e.peer}, sent ${e.sentAt} (${e.ageSeconds} s ago)`);
    }
    return waiting.length > 0 ? 1 : 0;
  } finally {
    await client.end();
  }
}

runCommand('federation', USAGE, main);
