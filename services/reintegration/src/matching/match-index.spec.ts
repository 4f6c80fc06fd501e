import fc from 'fast-check';
import { opening, profile } from './arbitraries';
import { type IndexedOpening, MatchIndex } from './match-index';
import type { MatchProfile } from './scorer';

const ids = (ranked: { score: number; opening?: IndexedOpening; person?: MatchProfile }[]) => ranked.map((r) => `${r.opening?.openingId ?? r.person?.personId}:${r.score}`);

function indexOf(openings: IndexedOpening[], profiles: MatchProfile[], order: 'as-given' | 'reversed' = 'as-given'): MatchIndex {
  const index = new MatchIndex();
  const o = order === 'reversed' ? [...openings].reverse() : openings;
  const p = order === 'reversed' ? [...profiles].reverse() : profiles;
  for (const x of o) index.upsertOpening(x);
  for (const x of p) index.upsertProfile(x);
  return index;
}

describe('MatchIndex (branch and bound over ISCO prefixes)', () => {
  const data = fc.record({
    openings: fc.uniqueArray(opening, { maxLength: 60, selector: (o) => o.openingId }),
    profiles: fc.uniqueArray(profile, { maxLength: 60, selector: (p) => p.personId }),
    limit: fc.integer({ min: 1, max: 12 }),
  });

  it('property: top openings for a person are exactly the brute-force ranking, in any load order', () => {
    fc.assert(
      fc.property(data, profile, ({ openings, profiles, limit }, person) => {
        const index = indexOf(openings, profiles);
        const expected = ids(index.bruteForceTopOpenings(person, limit, '2026-12-15'));
        expect(ids(index.topOpenings(person, limit, '2026-12-15'))).toEqual(expected);
        expect(ids(indexOf(openings, profiles, 'reversed').topOpenings(person, limit, '2026-12-15'))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('property: top people for an opening are exactly the brute-force ranking, in any load order', () => {
    fc.assert(
      fc.property(data, opening, ({ openings, profiles, limit }, job) => {
        const index = indexOf(openings, profiles);
        const expected = ids(index.bruteForceTopPeople(job, limit));
        expect(ids(index.topPeople(job, limit))).toEqual(expected);
        expect(ids(indexOf(openings, profiles, 'reversed').topPeople(job, limit))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('property: updates and removals leave the index as if built from the final data', () => {
    fc.assert(
      fc.property(data, fc.array(profile, { maxLength: 10 }), fc.array(opening, { maxLength: 10 }), ({ openings, profiles, limit }, extraProfiles, extraOpenings) => {
        const index = indexOf([...extraOpenings, ...openings], [...extraProfiles, ...profiles]);
        // The extras go again (an extra sharing an original's id was overwritten by it, and is re-added after).
        for (const o of extraOpenings) index.removeOpening(o.openingId);
        for (const p of extraProfiles) index.removeProfile(p.personId);
        for (const o of openings) index.upsertOpening(o);
        for (const p of profiles) index.upsertProfile(p);
        const fresh = indexOf(openings, profiles);
        expect(index.openingCount).toBe(openings.length);
        expect(index.profileCount).toBe(profiles.length);
        for (const person of [...profiles.slice(0, 2), ...extraProfiles.slice(0, 2)]) {
          expect(ids(index.topOpenings(person, limit, '2026-12-15'))).toEqual(ids(fresh.topOpenings(person, limit, '2026-12-15')));
        }
        for (const job of [...openings.slice(0, 2), ...extraOpenings.slice(0, 2)]) expect(ids(index.topPeople(job, limit))).toEqual(ids(fresh.topPeople(job, limit)));
      }),
      { numRuns: 150 },
    );
  });

  it('skips what cannot enter the top N: fewer candidates scored than the brute force', () => {
    const index = new MatchIndex();
    const units = ['7112', '7115', '7121', '7212', '5120', '5131', '9313', '6111', '2512', '8322'];
    for (let i = 0; i < 2000; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      index.upsertOpening({ openingId: id, iscoCode: units[i % units.length], requiredSkills: [], requiredLanguages: [], location: null, opensOn: '2026-01-01', closesOn: null });
    }
    const stats = { scored: 0 };
    const person: MatchProfile = { personId: 'p', occupations: ['7112'], languages: [], location: null };
    const top = index.topOpenings(person, 10, '2026-12-15', stats);
    expect(top).toHaveLength(10);
    expect(top.every((r) => r.opening.iscoCode === '7112')).toBe(true);
    expect(stats.scored).toBe(200);
    expect(ids(top)).toEqual(ids(index.bruteForceTopOpenings(person, 10, '2026-12-15')));
  });

  it('ranks only openings taking applications on the day', () => {
    const index = new MatchIndex();
    const base = { iscoCode: '7112', requiredSkills: [], requiredLanguages: [], location: null };
    index.upsertOpening({ ...base, openingId: 'a', opensOn: '2026-12-20', closesOn: null });
    index.upsertOpening({ ...base, openingId: 'b', opensOn: '2026-11-01', closesOn: '2026-12-01' });
    index.upsertOpening({ ...base, openingId: 'c', opensOn: '2026-11-01', closesOn: '2026-12-15' });
    expect(index.topOpenings({ personId: 'p', occupations: ['7112'], languages: [], location: null }, 10, '2026-12-15').map((r) => r.opening.openingId)).toEqual(['c']);
  });
});
