import type { EntityClass, MigrationClass } from '../database/typeorm-options';
import { IdempotencyRecordEntity } from './idempotency/idempotency-record.entity';
import { CreateIdempotencyRecord1795737600000 } from './idempotency/idempotency.migration';

/** Entities of the platform's own tables; add them to the service's explicit entity list. */
export const platformEntities: readonly EntityClass[] = [IdempotencyRecordEntity];
/** Migrations of the platform's own tables; add them to the service's explicit migration list. */
export const platformMigrations: readonly MigrationClass[] = [CreateIdempotencyRecord1795737600000];
