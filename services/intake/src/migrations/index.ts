import type { MigrationClass } from '@puente/platform';
import { CreateSites1766102400000 } from './1766102400000-create-sites';
import { CreatePersonsAndCases1766102400001 } from './1766102400001-create-persons-and-cases';
import { CreateHouseholdsAndConsents1766102400002 } from './1766102400002-create-households-and-consents';
import { CreateDuplicatesAndTimeline1766102400003 } from './1766102400003-create-duplicates-and-timeline';
import { CreateStatementGuard1766102400004 } from './1766102400004-create-statement-guard';
import { CreateCustodyTransfers1766102409000 } from '../transfers/transfer.migration';
import { CreateProtectionOverrides1766102400005 } from './1766102400005-create-protection-overrides';
import { IndexCasesBySiteAndStatus1766102400006 } from './1766102400006-index-cases-by-site-and-status';
import { IndexSearchableMatchKeys1766102400007 } from './1766102400007-index-searchable-match-keys';
import { CustodyTransferAdditions1766102409001 } from '../transfers/transfer-additions.migration';

/**
 * Every migration of the intake database, in order. Add each new migration class here
 * explicitly (no globs); they run at startup, each in its own transaction.
 */
export const intakeMigrations: MigrationClass[] = [
  CreateSites1766102400000,
  CreatePersonsAndCases1766102400001,
  CreateHouseholdsAndConsents1766102400002,
  CreateDuplicatesAndTimeline1766102400003,
  CreateStatementGuard1766102400004,
  CreateCustodyTransfers1766102409000,
  CreateProtectionOverrides1766102400005,
  IndexCasesBySiteAndStatus1766102400006,
  CustodyTransferAdditions1766102409001,
  IndexSearchableMatchKeys1766102400007,
];
