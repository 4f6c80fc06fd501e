import fc from 'fast-check';
import { CONCERN_CODES } from './arrival-day.dto';
import { answerErrors, concernsOf, type InterviewAnswers, MIGRATION_REASONS, normalizedAnswers, RECEPTION_NEEDS, RETURNS_BEFORE, TIME_ABROAD } from './interview';

const base: InterviewAnswers = { reasonsForMigration: ['economic'], timeAbroad: '1_to_3_years', returnsBefore: 'none', needs: [], protectionIndicators: [] };

describe('the coded reception interview', () => {
  it('raises nothing for a person who left for work and notes no indicator', () => {
    expect(concernsOf(base)).toEqual([]);
  });

  it('raises the indicators noted, and a fear of return for a person who fled persecution, violence or forced recruitment', () => {
    expect(concernsOf({ ...base, protectionIndicators: ['trafficking_indicators'] })).toEqual(['trafficking_indicators']);
    for (const reason of ['persecution', 'violence_or_threats', 'gang_recruitment'] as const) {
      expect(concernsOf({ ...base, reasonsForMigration: ['economic', reason] })).toEqual(['fear_of_return']);
    }
    expect(concernsOf({ ...base, reasonsForMigration: ['domestic_violence'] })).toEqual(['survivor_of_violence']);
  });

  it('refuses not_stated together with other reasons', () => {
    expect(answerErrors({ ...base, reasonsForMigration: ['not_stated', 'economic'] }).map((e) => e.field)).toEqual(['reasonsForMigration']);
    expect(answerErrors({ ...base, reasonsForMigration: ['not_stated'] })).toEqual([]);
  });

  describe('properties', () => {
    const answers = fc.record({
      reasonsForMigration: fc.array(fc.constantFrom(...MIGRATION_REASONS), { minLength: 1, maxLength: 6 }),
      timeAbroad: fc.constantFrom(...TIME_ABROAD),
      returnsBefore: fc.constantFrom(...RETURNS_BEFORE),
      needs: fc.array(fc.constantFrom(...RECEPTION_NEEDS), { maxLength: 8 }),
      protectionIndicators: fc.array(fc.constantFrom(...CONCERN_CODES), { maxLength: 5 }),
    });

    it('every indicator becomes a concern, concerns are known codes without repeats, and only indicators or flight reasons raise any', () => {
      fc.assert(
        fc.property(answers, (a) => {
          const concerns = concernsOf(a);
          for (const i of a.protectionIndicators) expect(concerns).toContain(i);
          expect(new Set(concerns).size).toBe(concerns.length);
          for (const c of concerns) expect(CONCERN_CODES).toContain(c);
          const fled = a.reasonsForMigration.some((r) => ['persecution', 'violence_or_threats', 'gang_recruitment', 'domestic_violence'].includes(r));
          if (a.protectionIndicators.length === 0 && !fled) expect(concerns).toEqual([]);
          if (a.protectionIndicators.length > 0 || fled) expect(concerns.length).toBeGreaterThan(0);
        }),
        { numRuns: 500 },
      );
    });

    it('normalizing keeps the same codes, removes repeats, and changes nothing the second time', () => {
      fc.assert(
        fc.property(answers, (a) => {
          const once = normalizedAnswers(a);
          expect(normalizedAnswers(once)).toEqual(once);
          expect(new Set(once.needs)).toEqual(new Set(a.needs));
          expect(new Set(once.reasonsForMigration)).toEqual(new Set(a.reasonsForMigration));
          expect(concernsOf(once)).toEqual(concernsOf(a));
        }),
        { numRuns: 500 },
      );
    });
  });
});
