// What the operator commands (audit, outbox) share: finding a service's database exactly as the
// service does, connecting with a clear failure, and one convention for usage errors and exit codes.
import { existsSync } from 'node:fs';
import { loadEnvFile } from 'node:process';
import { Client } from 'pg';
import { ConfigValidationError, loadServiceConfig, redactUrl } from '@puente/platform';

/** Bad command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export const say = (line: string) => process.stdout.write(`${line}\n`);
export const complain = (line: string) => process.stderr.write(`${line}\n`);

/** parseArgs settings every operator command shares: `<command> [--options]`, unknown options refused. */
export const COMMAND_LINE = { allowPositionals: true, strict: true } as const;

/** The command named by the positionals, which must be exactly one of `commands`. */
export function commandOf<C extends string>(positionals: string[], commands: readonly C[]): C {
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
  if (command === undefined) throw new UsageError(`missing command (${commands.join(' or ')})`);
  if (!(commands as readonly string[]).includes(command)) throw new UsageError(`unknown command: ${command}`);
  return command as C;
}

/** A failure to read the database or a file: exit code 3. */
export function readFailure(message: string): Error {
  return Object.assign(new Error(message), { readFailure: true });
}

/**
 * The service database URL exactly as the platform derives it (and validates the name):
 * <SERVICE>_DATABASE_URL, else DATABASE_URL (server URL) with database
 * `${PUENTE_DB_PREFIX ?? 'puente_'}${service with - → _}`; `.env` is read outside tests.
 */
export function serviceDatabase(service: string): { url: string; name: string } {
  if (process.env.NODE_ENV !== 'test' && existsSync('.env')) loadEnvFile('.env');
  try {
    const config = loadServiceConfig(service);
    return { url: config.databaseUrl, name: config.databaseName };
  } catch (error) {
    if (error instanceof ConfigValidationError) throw new UsageError(error.message);
    throw error;
  }
}

/** Connects to the service's database and checks that `table` exists (migrations have run). */
export async function connectService(service: string, options: { table: string; what: string; application: string }): Promise<{ client: Client; where: string }> {
  const db = serviceDatabase(service);
  const client = new Client({ connectionString: db.url, connectionTimeoutMillis: 5000, application_name: options.application });
  try {
    await client.connect();
    const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [`public.${options.table}`]);
    if (!rows[0].exists) throw new Error(`database ${db.name} has no ${options.table} table (has ${service} run its migrations?)`);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw readFailure(`cannot read the ${options.what} of ${service} at ${redactUrl(db.url)}: ${(error as Error).message}`);
  }
  return { client, where: `service ${service}, database ${db.name}` };
}

/**
 * Runs a command's main and turns its outcome into an exit code (2 usage, 3 read failure).
 * `forceExit` ends the process once the outcome is known (a Kafka client may still be retrying
 * a connection in the background).
 */
export function runCommand(name: string, usage: string, main: (argv: string[]) => Promise<number>, options: { forceExit?: boolean } = {}): void {
  const finish = () => {
    if (options.forceExit) process.stdout.write('', () => process.exit());
  };
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      finish();
    },
    (error: unknown) => {
      if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        complain(`${name}: ${(error as Error).message}\n\n${usage}`);
        process.exitCode = 2;
      } else if ((error as { readFailure?: boolean }).readFailure) {
        complain(`${name}: ${(error as Error).message}`);
        process.exitCode = 3;
      } else {
        complain(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        process.exitCode = 3;
      }
      finish();
    },
  );
}
