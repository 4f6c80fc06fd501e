import type { MigrationClass } from '@puente/platform';
import { CreateCaseRegistry1796000000001 } from '../case-registry/case-registry.migration';
import { CreateQuestionnaireVersion1796000000000 } from '../questionnaires/questionnaires.migration';
import { ProtectionConcernScreenings1796000000003 } from '../screenings/protection-concerns.migration';
import { ScreeningPerPerson1796000000004 } from '../screenings/screening-per-person.migration';
import { CreateScreening1796000000002 } from '../screenings/screenings.migration';

/**
 * Every migration of the screening database, in order. Add each new migration class here
 * explicitly (no globs); they run at startup, each in its own transaction.
 */
export const screeningMigrations: MigrationClass[] = [
  CreateQuestionnaireVersion1796000000000,
  CreateCaseRegistry1796000000001,
  CreateScreening1796000000002,
  ProtectionConcernScreenings1796000000003,
  ScreeningPerPerson1796000000004,
];
