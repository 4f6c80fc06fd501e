import type { MigrationClass } from '@puente/platform';
import { CreateDirectory1797000000000 } from '../directory/directory.migration';
import { CreateDirectorySeedMarker1797000000001 } from '../directory/seed/directory-seed.migration';

/**
 * Every migration of the referral-routing database, in order. Add each new migration class here
 * explicitly (no globs); they run at startup, each in its own transaction.
 */
export const referralRoutingMigrations: MigrationClass[] = [CreateDirectory1797000000000, CreateDirectorySeedMarker1797000000001];
