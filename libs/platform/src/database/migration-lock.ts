import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';

/** Advisory lock key held while a service initializes its DataSource and runs migrations. */
export const MIGRATION_LOCK_KEY = 7_370_926_001;

/**
 * Runs `fn` while holding a PostgreSQL session advisory lock on the database at `url`,
 * so replicas starting together run migrations one after the other (TypeORM itself
 * takes no lock).
 */
export async function withMigrationLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * TypeOrmModule `dataSourceFactory`: initializes the DataSource (which runs the pending
 * migrations, `migrationsRun: true`) under the migration lock.
 */
export async function initializeDataSourceLocked(url: string, options: DataSourceOptions): Promise<DataSource> {
  return withMigrationLock(url, async () => {
    const dataSource = new DataSource(options);
    try {
      return await dataSource.initialize();
    } catch (error) {
      if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
      throw error;
    }
  });
}
