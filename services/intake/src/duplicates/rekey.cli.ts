/**
 * Re-keys persons after a new match-key version (an agreement key added to or retired from
 * MATCH_AGREEMENT_KEYS): npm run rekey -- --service intake [--batch-size 500]
 *
 * Reads the database, PUENTE_KEKS / PUENTE_ACTIVE_KEK, MATCH_AGREEMENT_KEYS and PUENTE_NODE like
 * intake does. Prints counts only, never personal data or key material.
 * Exit codes: 0 done, 1 failed, 2 usage error.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadServiceConfig } from '@puente/platform';
import { KeyEncryptionKeyring, PersonVault, privacyEntities } from '@puente/privacy';
import { messagingEntities } from '@puente/messaging';
import { DataSource } from 'typeorm';
import { agreementKeysFrom } from '../common/privacy.providers';
import type { IntakeConfig } from '../config/intake.config';
import { Person } from '../persons/person.entity';
import { rekeyPersons } from './rekey';

const USAGE = 'usage: rekey --service intake [--batch-size <n>]';

export async function runRekeyCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values: { service?: string; 'batch-size'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { service: { type: 'string' }, 'batch-size': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.service !== 'intake') {
    process.stderr.write(`only intake keys persons: --service intake\n${USAGE}\n`);
    return 2;
  }
  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)) {
    process.stderr.write(`--batch-size must be an integer between 1 and 10000\n${USAGE}\n`);
    return 2;
  }
  let ds: DataSource | undefined;
  try {
    const keys = agreementKeysFrom({ MATCH_AGREEMENT_KEYS: env.MATCH_AGREEMENT_KEYS, NODE_ENV: env.NODE_ENV, serviceName: 'intake' } as IntakeConfig);
    const keyring = KeyEncryptionKeyring.fromEnv(env);
    ds = new DataSource({ type: 'postgres', url: loadServiceConfig('intake', undefined, env).databaseUrl, entities: [...privacyEntities, ...messagingEntities, Person], synchronize: false, logging: false, extra: { max: 2 } });
    await ds.initialize();
    const node = env.PUENTE_NODE ?? 'GT';
    process.stdout.write(`match keys: ${keys.map((k) => k.kid).join(', ')} (node ${node})\n`);
    const report = await rekeyPersons({ dataSource: ds, vault: new PersonVault(ds, keyring), keys, node, batchSize });
    process.stdout.write(`${report.rekeyed} person${report.rekeyed === 1 ? '' : 's'} re-keyed, ${report.published} published again (identity-matching consent in force)\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`rekey failed: ${(error as Error).name}: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await ds?.destroy();
  }
}

if (require.main === module) {
  void runRekeyCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
