import { CONCERN_CODES, type ConcernCode } from './arrival-day.dto';

/**
 * The reception interview, coded: what a returned person says is recorded as codes from these
 * lists, never as free text, so no answer can carry a name, a place or a story into the
 * database or an event. `not_stated` is an answer too (the person chose not to say).
 */
export const MIGRATION_REASONS = [
  'economic',
  'violence_or_threats',
  'gang_recruitment',
  'domestic_violence',
  'persecution',
  'family_reunification',
  'climate_or_disaster',
  'education',
  'health',
  'other',
  'not_stated',
] as const;
export type MigrationReason = (typeof MIGRATION_REASONS)[number];

export const TIME_ABROAD = ['under_1_month', '1_to_6_months', '6_to_12_months', '1_to_3_years', '3_to_10_years', 'over_10_years', 'not_stated'] as const;
export type TimeAbroad = (typeof TIME_ABROAD)[number];

export const RETURNS_BEFORE = ['none', 'once', 'two_or_more', 'not_stated'] as const;
export type ReturnsBefore = (typeof RETURNS_BEFORE)[number];

export const RECEPTION_NEEDS = [
  'shelter',
  'food',
  'transport_home',
  'medical_care',
  'psychosocial_support',
  'document_replacement',
  'employment',
  'skills_certification',
  'cash_assistance',
  'family_contact',
  'family_tracing',
  'legal_advice',
  'school_enrollment',
] as const;
export type ReceptionNeed = (typeof RECEPTION_NEEDS)[number];

/** Protection indicators an interviewer may note: the concern codes screening already understands. */
export const PROTECTION_INDICATORS = CONCERN_CODES;

/** Field errors of answers that are well-formed but contradict themselves (empty when consistent). */
export function answerErrors(a: InterviewAnswers): { field: string; message: string; code: string }[] {
  if (a.reasonsForMigration.includes('not_stated') && a.reasonsForMigration.length > 1) {
    return [{ field: 'reasonsForMigration', message: 'not_stated cannot be given with other reasons', code: 'contradictory' }];
  }
  return [];
}

export interface InterviewAnswers {
  reasonsForMigration: MigrationReason[];
  timeAbroad: TimeAbroad;
  returnsBefore: ReturnsBefore;
  needs: ReceptionNeed[];
  protectionIndicators: ConcernCode[];
}

/** The answers as stored: each list without repeats and sorted, so the same interview is always the same document. */
export function normalizedAnswers(a: InterviewAnswers): InterviewAnswers {
  const tidy = <T extends string>(xs: readonly T[]): T[] => [...new Set(xs)].sort();
  return {
    reasonsForMigration: tidy(a.reasonsForMigration),
    timeAbroad: a.timeAbroad,
    returnsBefore: a.returnsBefore,
    needs: tidy(a.needs),
    protectionIndicators: tidy(a.protectionIndicators),
  };
}

/**
 * The protection concerns an interview raises: its protection indicators, plus a fear of return
 * when the person left because of persecution, violence or forced recruitment and now has been
 * sent back to it. Empty: nothing for screening.
 */
export function concernsOf(a: InterviewAnswers): ConcernCode[] {
  const concerns = new Set<ConcernCode>(a.protectionIndicators);
  if (a.reasonsForMigration.some((r) => r === 'persecution' || r === 'violence_or_threats' || r === 'gang_recruitment')) concerns.add('fear_of_return');
  if (a.reasonsForMigration.includes('domestic_violence')) concerns.add('survivor_of_violence');
  return [...concerns].sort();
}
