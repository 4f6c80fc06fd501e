import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { EntitySchema } from 'typeorm';
import type { ServiceConfig } from '../config/service-config';
import { TypeOrmPlatformLogger } from './typeorm-logger';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityClass = Function | EntitySchema<unknown>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type MigrationClass = Function;

export interface DatabaseOptions {
  /** Explicit entity classes (no globs). */
  entities: readonly EntityClass[];
  /** Explicit migration classes (no globs), run at startup in order. */
  migrations: readonly MigrationClass[];
  /** Connection pool size; default 10. */
  poolSize?: number;
}

/**
 * TypeORM options for a service database. `synchronize` is always false: the schema
 * only changes through the explicit migrations, each in its own transaction.
 */
export function buildTypeOrmOptions(config: ServiceConfig, db: DatabaseOptions): TypeOrmModuleOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    entities: [...db.entities],
    migrations: [...db.migrations],
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    dropSchema: false,
    logging: ['error', 'warn', 'migration'],
    logger: new TypeOrmPlatformLogger(),
    retryAttempts: 3,
    retryDelay: 1000,
    extra: {
      application_name: config.serviceName,
      max: db.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
    },
  };
}
