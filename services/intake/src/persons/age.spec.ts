import fc from 'fast-check';
import { ageBandOf, ageInYears, checkBirthDate, isMinor, latestPossibleBirthDate } from './age';

const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

describe('ages and birth dates', () => {
  it('counts completed years, including leap-day birthdays', () => {
    expect(ageInYears('2008-03-10', at('2026-03-09'))).toBe(17);
    expect(ageInYears('2008-03-10', at('2026-03-10'))).toBe(18);
    expect(ageInYears('2008-02-29', at('2026-02-28'))).toBe(17);
    expect(ageInYears('2008-02-29', at('2026-03-01'))).toBe(18);
    expect(isMinor('2010-07-01', at('2026-03-10'))).toBe(true);
  });

  it('bands ages as humanitarian disaggregation does', () => {
    expect([0, 4, 5, 11, 12, 17, 18, 59, 60, 101].map(ageBandOf)).toEqual([
      'aged_0_to_4',
      'aged_0_to_4',
      'aged_5_to_11',
      'aged_5_to_11',
      'aged_12_to_17',
      'aged_12_to_17',
      'aged_18_to_59',
      'aged_18_to_59',
      'aged_60_plus',
      'aged_60_plus',
    ]);
    expect(ageBandOf(undefined)).toBe('unknown');
  });

  it('refuses impossible, future and implausible birth dates', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    expect(checkBirthDate('1990-05-17', now)).toBeUndefined();
    expect(checkBirthDate('2023-02-29', now)).toBe('impossible');
    expect(checkBirthDate('2026-02-30', now)).toBe('impossible');
    expect(checkBirthDate('1990-5-17', now)).toBe('format');
    expect(checkBirthDate('17/05/1990', now)).toBe('format');
    expect(checkBirthDate('2026-03-12', now)).toBe('future');
    expect(checkBirthDate('1899-12-31', now)).toBe('too-old');
    // born "today" somewhere east of UTC is still accepted
    expect(checkBirthDate(latestPossibleBirthDate(now), now)).toBeUndefined();
  });

  it('never gives a negative age and grows by one each birthday (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2026-01-01T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 120 }), (birth, years) => {
        const birthDate = birth.toISOString().slice(0, 10);
        if (birthDate.endsWith('02-29')) return;
        const birthday = new Date(Date.UTC(birth.getUTCFullYear() + years, birth.getUTCMonth(), birth.getUTCDate(), 12));
        expect(ageInYears(birthDate, birthday)).toBe(years);
        expect(ageInYears(birthDate, new Date(birthday.getTime() - 24 * 3_600_000))).toBe(Math.max(0, years - 1));
      }),
    );
  });
});
