// Audit log command line: verify or export a service's hash-chained audit log.
//   npm run audit -- verify --service intake [--expect-head <seq>:<hash>] [--witnesses <file.jsonl> [--node GT]]
//   npm run audit -- witnesses --service intake [--node GT]   (the heads this node witnessed for peers)
//   npm run audit -- verify --file audit.jsonl [--anchor <seq>:<hash>] [--expect-head <seq>:<hash>]
//   npm run audit -- export --service intake [--out audit.jsonl] [--from <seq>] [--to <seq>]
// The database is found like the service finds it: <SERVICE>_DATABASE_URL, else DATABASE_URL
// (server URL) with database `${PUENTE_DB_PREFIX ?? 'puente_'}${service with - → _}`.
// Exit codes: 0 intact / exported, 1 chain broken (names the first broken record),
// 2 usage or configuration error, 3 the database or file could not be read.
import { parseArgs } from 'node:util';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Client } from 'pg';
import {
  exportChain,
  formatChainHead,
  parseChainHead,
  verifyChain,
  verifyExport,
  type ChainHead,
  type ChainVerification,
} from '@puente/audit';
import { readFileSync } from 'node:fs';
// @puente/federation is loaded only for the witness commands (it pulls in jose and the contracts: a slower start).
import type { WitnessedCheckpoint, WitnessedVerification } from '@puente/federation';
import { COMMAND_LINE, commandOf, complain, connectService, readFailure, runCommand, say, UsageError } from './service-database';

const USAGE = `Usage:
  audit verify --service <name> [--expect-head <seq>:<hash>] [--witnesses <file.jsonl> [--node <XX>]]
  audit witnesses --service <name> [--node <XX>]
  audit verify --file <export.jsonl> [--anchor <seq>:<hash>] [--expect-head <seq>:<hash>]
  audit export --service <name> [--out <file.jsonl>] [--from <seq>] [--to <seq>]

verify  recomputes the hash chain and names the first broken record. Keep the printed head:
        passing it later as --expect-head also detects deleted newest records.
        --witnesses: JSON lines of the heads peers witnessed (each peer's \`audit witnesses\`);
        the chain must still hold each of this node's (--node, default PUENTE_NODE or GT)
        heads for the service: a rewritten or shortened history fails (exit 1).
witnesses  the newest audit heads peers sent this node to witness, as JSON lines (give them
        to the peer's operator for verify --witnesses).
export  writes the records as JSON lines (stdout unless --out).
Exit codes: 0 intact, 1 broken, 2 usage error, 3 database or file not readable.`;

function positiveInt(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(value)) throw new UsageError(`--${option} must be a positive integer`);
  return Number(value);
}

function head(value: string | undefined, option: string): ChainHead | undefined {
  if (value === undefined) return undefined;
  try {
    return parseChainHead(value);
  } catch {
    throw new UsageError(`--${option} must be <seq>:<64 lower-case hex digits>, as printed by verify or export`);
  }
}

function report(result: ChainVerification, what: string): number {
  if (result.ok) {
    say(`audit chain intact: ${result.count} records${result.head ? `, head ${formatChainHead(result.head)}` : ''} (${what})`);
    return 0;
  }
  say(`audit chain broken at record ${result.brokenAt}: ${result.reason}`);
  complain(`(${what}; ${result.count} records verified before record ${result.brokenAt})`);
  return 1;
}

async function witnessesFrom(file: string, node: string, service: string): Promise<WitnessedCheckpoint[]> {
  const { checkpointsFor } = await import('@puente/federation');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw readFailure(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const found = checkpointsFor(text.split('\n'), node, service);
    if (found.length === 0) throw new UsageError(`${file} holds no witnessed head of ${service} at node ${node}`);
    return found;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${file} is not JSON lines of witnessed heads (audit witnesses): ${(error as Error).message}`);
  }
}

function reportWitnessed(results: readonly WitnessedVerification[]): number {
  let broken = 0;
  for (const { checkpoint, result } of results) {
    const by = `${checkpoint.witness ?? 'a peer'} witnessed ${formatChainHead(checkpoint)} at ${checkpoint.takenAt}`;
    if (result.ok) say(`  witnessed head holds: ${by}`);
    else {
      broken += 1;
      say(`audit history rewritten: ${result.reason} at record ${result.brokenAt} (${by})`);
    }
  }
  return broken > 0 ? 1 : 0;
}

async function connect(service: string): Promise<{ client: Client; what: string }> {
  const { client, where } = await connectService(service, { table: 'audit_record', what: 'audit log', application: 'puente-audit' });
  return { client, what: where };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    ...COMMAND_LINE,
    args: argv,
    options: {
      service: { type: 'string' },
      file: { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'expect-head': { type: 'string' },
      anchor: { type: 'string' },
      witnesses: { type: 'string' },
      node: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    say(USAGE);
    return 0;
  }
  const command = commandOf(positionals, ['verify', 'export', 'witnesses']);

  if (command === 'witnesses') {
    if (!values.service) throw new UsageError('witnesses needs --service <name>');
    const { client } = await connectService(values.service, { table: 'audit_witness_checkpoint', what: 'witnessed audit heads', application: 'puente-audit' });
    try {
      // Each line says which node holds it (this one), so a collected file names its witnesses.
      const { witnessedCheckpoints } = await import('@puente/federation');
      for (const c of await witnessedCheckpoints(client, { node: values.node })) say(JSON.stringify({ ...c, witness: process.env.PUENTE_NODE ?? 'GT' }));
      return 0;
    } finally {
      await client.end();
    }
  }

  if (command === 'verify') {
    if (values.out || values.from || values.to) throw new UsageError('verify takes no --out, --from or --to');
    const expectedHead = head(values['expect-head'], 'expect-head');
    if (values.file !== undefined) {
      if (values.service) throw new UsageError('give either --service or --file, not both');
      const input = createReadStream(values.file);
      await once(input, 'open').catch((error: Error) => {
        throw readFailure(`cannot read ${values.file}: ${error.message}`);
      });
      const result = await verifyExport(input, { anchor: head(values.anchor, 'anchor'), expectedHead });
      return report(result, `file ${values.file}`);
    }
    if (!values.service) throw new UsageError('verify needs --service <name> or --file <export.jsonl>');
    if (values.anchor) throw new UsageError('--anchor applies to --file only');
    const witnessed = values.witnesses === undefined ? undefined : await witnessesFrom(values.witnesses, values.node ?? process.env.PUENTE_NODE ?? 'GT', values.service);
    const { client, what } = await connect(values.service);
    try {
      const code = report(await verifyChain(client, { expectedHead }), what);
      if (code !== 0 || !witnessed) return code;
      const { verifyAgainstWitnesses } = await import('@puente/federation');
      return reportWitnessed(await verifyAgainstWitnesses(client, witnessed));
    } finally {
      await client.end();
    }
  }

  if (command === 'export') {
    if (!values.service) throw new UsageError('export needs --service <name>');
    if (values.file || values.anchor || values['expect-head']) throw new UsageError('export takes no --file, --anchor or --expect-head');
    const from = positiveInt(values.from, 'from');
    const to = positiveInt(values.to, 'to');
    if (from !== undefined && to !== undefined && to < from) throw new UsageError('--to must not be less than --from');
    const { client, what } = await connect(values.service);
    try {
      const out = values.out ? createWriteStream(values.out, { mode: 0o600 }) : process.stdout;
      const result = await exportChain(client, out, { from, to });
      if (values.out) {
        out.end();
        await once(out, 'finish');
      }
      const range = result.first && result.last ? ` (records ${result.first.seq}..${result.last.seq}, last ${formatChainHead(result.last)})` : '';
      complain(`exported ${result.count} records${range} from ${what}${values.out ? ` to ${values.out}` : ''}`);
      return 0;
    } finally {
      await client.end();
    }
  }

  throw new UsageError(`unknown command: ${String(command)}`);
}

runCommand('audit', USAGE, main);
