// Federation command line (see docs/federation.md):
//   npm run federation -- unacknowledged --service intake [--older-than 300] [--json]
//     what this node sent to other nodes that no receipt answered yet;
//   npm run federation -- retractions --service intake [--json]
//     retraction notices (after a consent withdrawal or an erasure) past their due time without
//     the receiver's receipt.
// The database is found like the service finds it (<SERVICE>_DATABASE_URL, else DATABASE_URL).
// Exit codes: 0 nothing waiting, 1 some are waiting, 2 usage error, 3 database not readable.
import { parseArgs } from 'node:util';
import { DEFAULT_UNACKNOWLEDGED_AFTER_SECONDS, listUnacknowledged, overdueRetractions } from '@puente/federation';
import { COMMAND_LINE, commandOf, connectService, runCommand, say, UsageError } from './service-database';

const USAGE = `Usage:
  federation unacknowledged --service <name> [--older-than <seconds>] [--json]
  federation retractions --service <name> [--json]

unacknowledged  lists the envelopes sent to other nodes more than --older-than seconds ago
                (default ${DEFAULT_UNACKNOWLEDGED_AFTER_SECONDS}) without a receipt: envelope id, node, kind, age (never payloads).
retractions     lists the retraction notices (consent withdrawn, person erased) past their due
                time that the receiving partner or node has not answered with a receipt:
                notice id, receiver, cause, channels, person and case ids, due time.
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
  const command = commandOf(positionals, ['unacknowledged', 'retractions']);
  if (!values.service) throw new UsageError(`${command} needs --service <name>`);
  if (command === 'retractions') {
    if (values['older-than'] !== undefined) throw new UsageError('retractions takes no --older-than: a notice is overdue after its own due time');
    return listOverdueRetractions(values.service, values.json ?? false);
  }
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

async function listOverdueRetractions(service: string, json: boolean): Promise<number> {
  const { client, where } = await connectService(service, { table: 'retraction_notice', what: 'retraction notices', application: 'puente-federation' });
  try {
    const overdue = await overdueRetractions(client);
    if (json) {
      for (const n of overdue) say(JSON.stringify(n));
    } else {
      say(`${overdue.length} retraction notice${overdue.length === 1 ? '' : 's'} overdue without a receipt (${where})`);
      for (const n of overdue) {
        say(`  ${n.noticeId}  ${n.receiverType} ${n.receiver} (${n.channels.join(', ')}), ${n.cause}, person ${n.personId}${n.caseId ? ` case ${n.caseId}` : ''}, due ${n.dueAt.toISOString()}`);
      }
    }
    return overdue.length > 0 ? 1 : 0;
  } finally {
    await client.end();
  }
}

runCommand('federation', USAGE, main);
