import type { MigrationClass } from '@puente/platform';
import { CreateAvrPackages1798000004000 } from '../avr/avr.migration';
import { AddAvrSides1798000004100 } from '../avr/avr-sides.migration';
import { CreateJobs1798000002000 } from '../jobs/jobs.migration';
import { CreateMatchFeatures1798000003000 } from '../matching/match-features.migration';
import { CreatePlans1798000000100 } from '../plans/plans.migration';
import { CreateRemigrationFlags1798000000300 } from '../plans/remigration.migration';
import { AddPersonBorderFacts1798000000200 } from '../registry/border-facts.migration';
import { CreateRegistry1798000000000 } from '../registry/registry.migration';
import { LinkCertificateTasks1798000001100 } from '../skills/certificate-tasks.migration';
import { CreateSkillsProfiles1798000001000 } from '../skills/skills-profile.migration';

/**
 * Every migration of the reintegration database, in order. Add each new migration class here
 * explicitly (no globs); they run at startup, each in its own transaction.
 *
 * Timestamps by feature, so parallel work never collides: registry and plans 1798000000xxx,
 * skills 1798000001xxx, jobs 1798000002xxx, matching 1798000003xxx, assisted voluntary return
 * 1798000004xxx.
 */
export const reintegrationMigrations: MigrationClass[] = [
  CreateRegistry1798000000000,
  // plans
  CreatePlans1798000000100,
  // registry: nationality and flags for the border
  AddPersonBorderFacts1798000000200,
  // plans: re-migration flags
  CreateRemigrationFlags1798000000300,
  // skills
  CreateSkillsProfiles1798000001000,
  LinkCertificateTasks1798000001100,
  // jobs
  CreateJobs1798000002000,
  // matching
  CreateMatchFeatures1798000003000,
  // assisted voluntary return
  CreateAvrPackages1798000004000,
  AddAvrSides1798000004100,
];
