import type { MigrationClass } from '@puente/platform';
import { CreateArrivalDay1797000000002 } from '../arrivals/arrival-day.migration';
import { CreateCenters1797000000000 } from '../centers/centers.migration';
import { CreateArrivals1797000000001 } from '../manifests/arrivals.migration';
import { CreateFamilyTracing1797000000011 } from '../arrivals/family-tracing.migration';
import { InterviewConcerns1797000000010 } from '../arrivals/interview.migration';
import { CreateReintegrationOutcomes1797000000020 } from '../outcomes/reintegration-outcomes.migration';

/**
 * Every migration of the reception database, in order. Add each new migration class here
 * explicitly (no globs); they run at startup, each in its own transaction.
 */
export const receptionMigrations: MigrationClass[] = [CreateCenters1797000000000, CreateArrivals1797000000001, CreateArrivalDay1797000000002, InterviewConcerns1797000000010, CreateFamilyTracing1797000000011, CreateReintegrationOutcomes1797000000020];
