/**
 * Key rotation CLI: re-wraps every data key of one service's database under the active KEK.
 *
 *   node -r @swc-node/register libs/privacy/src/cli/rewrap.ts [rewrap] \
 *     (--service <name> | --database-url <url>) [--from <kid>] [--batch-size <n>] [--dry-run]
 *
 * Reads PUENTE_KEKS / PUENTE_ACTIVE_KEK like the services do (the keyring must hold the old
 * and the new KEK). `--service` derives the database the way the service does
 * (`<SERVICE>_DATABASE_URL`, else DATABASE_URL + PUENTE_DB_PREFIX + name). Prints counts and
 * key ids only, never key material. Exit codes: 0 done, 1 failed, 2 usage error.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { KeyEncryptionKeyring } from '../crypto/key-encryption-keyring';
import { PrivacyError } from '../errors';
import { privacyEntities } from '../schema';
import { dataKeyInventory, rewrapAll, type DataKeyInventory } from '../vault/rewrap';

const USAGE =
  'usage: rewrap (--service <name> | --database-url <postgres-url>) [--from <kid>] [--batch-size <n>] [--dry-run]';

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function describe(inventory: DataKeyInventory): string {
  const byKek = Object.entries(inventory.byKek).map(([kid, n]) => `${kid}=${n}`);
  return `data keys by KEK: ${byKek.join(', ') || 'none'}; erased: ${inventory.erased}`;
}

function hidePassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}

async function databaseUrlFor(service: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { loadServiceConfig } = await import('@puente/platform');
  return loadServiceConfig(service, undefined, env).databaseUrl;
}

/** Runs the CLI; returns the process exit code. */
export async function runRewrapCli(argv: string[], env: NodeJS.ProcessEnv = process.env, io: CliOutput = consoleOutput): Promise<number> {
  let values: { service?: string; 'database-url'?: string; from?: string; 'batch-size'?: string; 'dry-run'?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        service: { type: 'string' },
        'database-url': { type: 'string' },
        from: { type: 'string' },
        'batch-size': { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== 'rewrap')) {
    io.err(`unknown command: ${positionals.join(' ')}\n${USAGE}`);
    return 2;
  }
  if ((values.service === undefined) === (values['database-url'] === undefined)) {
    io.err(`give exactly one of --service and --database-url\n${USAGE}`);
    return 2;
  }
  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)) {
    io.err(`--batch-size must be an integer between 1 and 10000\n${USAGE}`);
    return 2;
  }

  let ds: DataSource | undefined;
  try {
    const keyring = KeyEncryptionKeyring.fromEnv(env);
    if (keyring.isDevelopmentDefault) io.err('warning: PUENTE_KEKS is not set; using the development-only KEK');
    const url = values['database-url'] ?? (await databaseUrlFor(values.service as string, env));
    ds = new DataSource({ type: 'postgres', url, entities: privacyEntities, synchronize: false, logging: false, extra: { max: 2 } });
    await ds.initialize();
    const [{ present }]: { present: boolean }[] = await ds.query(`SELECT to_regclass('person_data_key') IS NOT NULL AS present`);
    if (!present) {
      io.err(`no person_data_key table in ${hidePassword(url)}: run the service's migrations first`);
      return 1;
    }
    io.out(`database ${hidePassword(url)}; active KEK "${keyring.activeKid}"; keyring: ${keyring.kids.join(', ')}`);
    const before = await dataKeyInventory(ds);
    io.out(`before: ${describe(before)}`);
    const missing = Object.keys(before.byKek).filter((kid) => !keyring.has(kid));
    if (missing.length > 0) io.err(`warning: data keys are wrapped under KEKs missing from PUENTE_KEKS: ${missing.join(', ')}`);
    if (values['dry-run']) {
      const pending = Object.entries(before.byKek)
        .filter(([kid]) => kid !== keyring.activeKid && (values.from === undefined || kid === values.from))
        .reduce((sum, [, n]) => sum + n, 0);
      io.out(`dry run: would re-wrap ${pending} data keys under "${keyring.activeKid}"; nothing changed`);
      return 0;
    }
    const report = await rewrapAll(ds, keyring, {
      fromKid: values.from,
      batchSize,
      onBatch: ({ batch, rewrapped }) => io.out(`batch ${batch} committed (${rewrapped} re-wrapped so far)`),
    });
    io.out(`re-wrapped ${report.rewrapped} data keys under "${report.toKid}" in ${report.batches} batches`);
    io.out(`after: ${describe(await dataKeyInventory(ds))}`);
    return 0;
  } catch (e) {
    const name = e instanceof Error ? e.name : 'Error';
    const message = e instanceof Error ? e.message : String(e);
    io.err(`rewrap failed: ${name}: ${message}`);
    if (e instanceof PrivacyError && 'personId' in e) io.err(`person id: ${String((e as { personId: unknown }).personId)}`);
    return 1;
  } finally {
    if (ds?.isInitialized) await ds.destroy();
  }
}

if (require.main === module) {
  void runRewrapCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
