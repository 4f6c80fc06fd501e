import type { MigrationClass } from '@puente/platform';
import { CreateCenters1797000000000 } from '../centers/centers.migration';

/**
 * Every migration of the reception database, in order. Add each new migration class here
 * explicitly (no globs); they run at startup, each in its own transaction.
 */
export const receptionMigrations: MigrationClass[] = [CreateCenters1797000000000];
