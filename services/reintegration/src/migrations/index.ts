import type { MigrationClass } from '@puente/platform';

/**
 * Every migration of the reintegration database, in order. Add each new migration class here
 * explicitly (no globs); they run at startup, each in its own transaction.
 */
export const reintegrationMigrations: MigrationClass[] = [];
