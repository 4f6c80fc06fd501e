import fc from 'fast-check';
import { isIscoUnitCode } from '../skills/isco';
import { language, opening, personWithProtectedAttributes, profile, iscoUnit } from './arbitraries';
import { compareRanked, matchProfileOf, type MatchProfile, occupationLevel, PROTECTED_ATTRIBUTES, quickScore, scoreMatch } from './scorer';

const SPS = { lat: 15.5, lon: -88.03 }; // San Pedro Sula
const TGU = { lat: 14.08, lon: -87.21 }; // Tegucigalpa

describe('scoreMatch (skills, languages, distance; nothing else)', () => {
  const bricklayer: MatchProfile = { personId: 'p', occupations: ['7112', '9313'], languages: [{ code: 'es', level: 'C2' }, { code: 'en', level: 'B1' }], location: SPS };

  it('explains what matched and what is missing', () => {
    const result = scoreMatch(bricklayer, {
      openingId: 'o',
      iscoCode: '7112',
      requiredSkills: ['7114', '9313'],
      requiredLanguages: [{ code: 'en', level: 'B2' }, { code: 'es', level: 'B1' }],
      location: SPS,
    });
    expect(result.relevant).toBe(true);
    expect(result.explanation).toEqual({
      occupation: { code: '7112', level: 'unit' },
      skillsMatched: ['9313'],
      skillsMissing: ['7114'],
      languagesMet: [{ code: 'es', required: 'B1', held: 'C2' }],
      languagesMissing: [{ code: 'en', required: 'B2', held: 'B1' }],
      distanceKm: 0,
    });
    // 40 (same unit group) + 15 (1 of 2 skills) + 10 (1 of 2 languages) + 10 (same place)
    expect(result.score).toBe(0.75);
  });

  it('scores closeness in the ISCO hierarchy and distance up to 100 km', () => {
    expect(occupationLevel('7112', '7112')).toBe('unit');
    expect(occupationLevel('7112', '7115')).toBe('minor');
    expect(occupationLevel('7112', '7121')).toBe('sub-major');
    expect(occupationLevel('7112', '7212')).toBe('major');
    expect(occupationLevel('7112', '5120')).toBeNull();
    const far = scoreMatch(bricklayer, { openingId: 'o', iscoCode: '7115', requiredSkills: [], requiredLanguages: [], location: TGU });
    expect(far.explanation.distanceKm).toBeGreaterThan(150);
    expect(far.score).toBe(0.75); // 25 + 30 + 20 + 0
    const unrelated = scoreMatch(bricklayer, { openingId: 'o', iscoCode: '5120', requiredSkills: [], requiredLanguages: [], location: SPS });
    expect(unrelated.relevant).toBe(false);
  });

  it('ranks equal scores by id', () => {
    const ranked = [{ score: 0.5, id: 'b' }, { score: 0.7, id: 'c' }, { score: 0.5, id: 'a' }].sort(compareRanked);
    expect(ranked.map((r) => r.id)).toEqual(['c', 'a', 'b']);
  });

  it('generates only real ISCO-08 unit groups', () => {
    fc.assert(fc.property(iscoUnit, (code) => isIscoUnitCode(code)));
  });

  it('property: adding a skill the opening asks for (or any occupation) never lowers the score', () => {
    fc.assert(
      fc.property(profile, opening, fc.boolean(), iscoUnit, (person, job, fromOpening, anyCode) => {
        const wanted = [job.iscoCode, ...job.requiredSkills];
        const code = fromOpening ? wanted[anyCode.charCodeAt(3) % wanted.length] : anyCode;
        const before = scoreMatch(person, job);
        const after = scoreMatch({ ...person, occupations: [...person.occupations, code] }, job);
        return after.score >= before.score && (!before.relevant || after.relevant);
      }),
      { numRuns: 500 },
    );
  });

  it('property: adding a language or raising its level never lowers the score', () => {
    fc.assert(
      fc.property(profile, opening, language, (person, job, extra) => scoreMatch({ ...person, languages: [...person.languages, extra] }, job).score >= scoreMatch(person, job).score),
      { numRuns: 500 },
    );
  });

  it('property: changing a protected attribute (sex, age band, nationality, ethnicity, flags) never changes a score', () => {
    fc.assert(
      fc.property(personWithProtectedAttributes, personWithProtectedAttributes, opening, (person, other, job) => {
        const changed = { ...person, sex: other.sex, ageBand: other.ageBand, nationality: other.nationality, ethnicity: other.ethnicity, flags: other.flags };
        const a = scoreMatch(matchProfileOf(person), job);
        const b = scoreMatch(matchProfileOf(changed), job);
        // Even the record itself, passed whole where a MatchProfile is expected, scores the same.
        const c = scoreMatch(changed, job);
        return a.score === b.score && b.score === c.score && JSON.stringify(a) === JSON.stringify(b);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps protected attributes out of what it scores', () => {
    const copied = matchProfileOf({ personId: 'p', occupations: ['7112'], languages: [], location: null, sex: 'female', nationality: 'HN' } as MatchProfile);
    for (const attribute of PROTECTED_ATTRIBUTES) expect(copied).not.toHaveProperty(attribute);
  });

  it('property: the quick score a scan ranks with is the explained score', () => {
    fc.assert(
      fc.property(profile, opening, (person, job) => {
        const full = scoreMatch(person, job);
        expect(quickScore(person, job)).toEqual({ score: full.score, relevant: full.relevant });
      }),
      { numRuns: 1000 },
    );
  });

  it('property: the same inputs give the same result, whatever the order of their lists', () => {
    fc.assert(
      fc.property(profile, opening, (person, job) => {
        const shuffled = { ...person, occupations: [...person.occupations].reverse(), languages: [...person.languages].reverse() };
        const job2 = { ...job, requiredSkills: [...job.requiredSkills].reverse(), requiredLanguages: [...job.requiredLanguages].reverse() };
        return JSON.stringify(scoreMatch(person, job)) === JSON.stringify(scoreMatch(shuffled, job2));
      }),
      { numRuns: 300 },
    );
  });
});
