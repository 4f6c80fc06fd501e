import type { ServiceConfig } from '@puente/platform';
import { DataSource } from 'typeorm';
import { KeyEncryptionKeyring } from '../crypto/key-encryption-keyring';
import { KeyringConfigError } from '../errors';
import { PersonVault } from './person-vault';

/**
 * Nest providers (plain objects, so this library needs no Nest import) of a service's
 * PersonVault: its own database's `person_data_key` table, wrapped by the node's KEKs
 * (PUENTE_KEKS). A bad keyring is a configuration error naming the variable: pass platform's
 * ConfigValidationError (platform is loaded lazily by this library's CLI, so not imported here).
 */
export function personVaultProviders(
  config: abstract new (...args: never[]) => Pick<ServiceConfig, 'NODE_ENV' | 'serviceName'>,
  ConfigError: new (service: string, errors: { variable: string; messages: string[] }[]) => Error,
) {
  return [
    {
      provide: KeyEncryptionKeyring,
      inject: [config],
      useFactory: (c: Pick<ServiceConfig, 'NODE_ENV' | 'serviceName'>) => {
        try {
          return KeyEncryptionKeyring.fromEnv({ ...process.env, NODE_ENV: c.NODE_ENV });
        } catch (error) {
          if (error instanceof KeyringConfigError) throw new ConfigError(c.serviceName, [{ variable: 'PUENTE_KEKS', messages: [error.message] }]);
          throw error;
        }
      },
    },
    { provide: PersonVault, inject: [DataSource, KeyEncryptionKeyring], useFactory: (ds: DataSource, keyring: KeyEncryptionKeyring) => new PersonVault(ds, keyring) },
  ];
}
