import type { MigrationClass } from '@puente/platform';
import { CreateDirectory1797000000000 } from '../directory/directory.migration';
import { CreateDirectorySeedMarker1797000000001 } from '../directory/seed/directory-seed.migration';
import { CreateReferrals1797000000100 } from './1797000000100-create-referrals';
import { IndexFailedDeliveries1797000000101 } from './1797000000101-index-failed-deliveries';
import { DeliveryPersonalDataFailure1797000000102 } from './1797000000102-delivery-personal-data-failure';
import { CreateRoutingCaseModel1797000000200 } from '../cases/case-model.migration';
import { CreateRouting1797000000201 } from '../routing/routing.migration';
import { CreateCrossBorderReferrals1797000000300 } from '../cross-border/cross-border.migration';

/**
 * Every migration of the referral-routing database, in order. Add each new migration class here
 * explicitly (no globs); they run at startup, each in its own transaction.
 */
export const referralRoutingMigrations: MigrationClass[] = [
  CreateDirectory1797000000000,
  CreateDirectorySeedMarker1797000000001,
  CreateReferrals1797000000100,
  IndexFailedDeliveries1797000000101,
  DeliveryPersonalDataFailure1797000000102,
  CreateRoutingCaseModel1797000000200,
  CreateRouting1797000000201,
  CreateCrossBorderReferrals1797000000300,
];
