import { compareRanked, type MatchOpening, type MatchProfile, type MatchScore, maxPointsWithOccupation, quickScore, scoreMatch, WEIGHTS } from './scorer';

/** An opening as the index keeps it: its scored fields and the days it takes applications (`YYYY-MM-DD`, inclusive). */
export interface IndexedOpening extends MatchOpening {
  readonly opensOn: string;
  readonly closesOn: string | null;
}

export interface RankedOpening extends MatchScore {
  readonly opening: IndexedOpening;
}
export interface RankedPerson extends MatchScore {
  readonly person: MatchProfile;
}

/** Ranking work done by a query, for the benchmark and the tests of pruning. */
export interface QueryStats {
  scored: number;
}

/** Keeps the best `limit` items, best first (insertion into a short sorted array: limit is at most 100). */
class TopN<T extends { score: number; id: string }> {
  readonly items: T[] = [];
  constructor(private readonly limit: number) {}

  offer(item: T): void {
    if (this.items.length === this.limit && compareRanked(item, this.items[this.items.length - 1]) >= 0) return;
    let i = this.items.length;
    while (i > 0 && compareRanked(item, this.items[i - 1]) < 0) i--;
    this.items.splice(i, 0, item);
    if (this.items.length > this.limit) this.items.pop();
  }

  /** Whether nothing scoring at most `bound` (0-1) can enter any more: full, and the last one is strictly better (ties could win on id). */
  closedAbove(bound: number): boolean {
    return this.items.length === this.limit && this.items[this.items.length - 1].score > bound;
  }
}

function add(map: Map<string, Set<string>>, key: string, id: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(id);
}
function remove(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}

const PREFIXES = [4, 3, 2, 1] as const;
const TIER_POINTS = [WEIGHTS.occupation.unit, WEIGHTS.occupation.minor, WEIGHTS.occupation['sub-major'], WEIGHTS.occupation.major, 0] as const;
const prefixKey = (code: string, length: number) => `${length}:${code.slice(0, length)}`;

/**
 * Top-N matching both ways over inverted indexes of ISCO-08 prefixes, with branch and bound:
 * candidates are scored tier by tier (same unit group as the query, then same minor, sub-major and
 * major group, then only a required skill in common), and the search stops as soon as the N-th best
 * score found beats the most any later tier can score. The ranking is exactly `bruteForce…`'s (tested
 * with random data): the scorer decides, the index only skips what cannot enter the top N.
 *
 * Only relevant pairs are ranked (scoreMatch's `relevant`: an occupation in the same ISCO major
 * group, or a required skill held), so a candidate that shares nothing is never scored.
 */
export class MatchIndex {
  private readonly openings = new Map<string, IndexedOpening>();
  private readonly profiles = new Map<string, MatchProfile>();
  /** `length:prefix` of the opening's ISCO code → opening ids. */
  private readonly openingsByPrefix = new Map<string, Set<string>>();
  /** Required skill (unit group) → opening ids. */
  private readonly openingsBySkill = new Map<string, Set<string>>();
  /** `length:prefix` of each of the person's occupations → person ids. */
  private readonly profilesByPrefix = new Map<string, Set<string>>();

  get openingCount(): number {
    return this.openings.size;
  }
  get profileCount(): number {
    return this.profiles.size;
  }

  upsertOpening(opening: IndexedOpening): void {
    this.removeOpening(opening.openingId);
    this.openings.set(opening.openingId, opening);
    for (const length of PREFIXES) add(this.openingsByPrefix, prefixKey(opening.iscoCode, length), opening.openingId);
    for (const skill of opening.requiredSkills) add(this.openingsBySkill, skill, opening.openingId);
  }

  removeOpening(openingId: string): void {
    const old = this.openings.get(openingId);
    if (!old) return;
    this.openings.delete(openingId);
    for (const length of PREFIXES) remove(this.openingsByPrefix, prefixKey(old.iscoCode, length), openingId);
    for (const skill of old.requiredSkills) remove(this.openingsBySkill, skill, openingId);
  }

  upsertProfile(profile: MatchProfile): void {
    this.removeProfile(profile.personId);
    this.profiles.set(profile.personId, profile);
    for (const code of profile.occupations) for (const length of PREFIXES) add(this.profilesByPrefix, prefixKey(code, length), profile.personId);
  }

  removeProfile(personId: string): void {
    const old = this.profiles.get(personId);
    if (!old) return;
    this.profiles.delete(personId);
    for (const code of old.occupations) for (const length of PREFIXES) remove(this.profilesByPrefix, prefixKey(code, length), personId);
  }

  profile(personId: string): MatchProfile | undefined {
    return this.profiles.get(personId);
  }

  opening(openingId: string): IndexedOpening | undefined {
    return this.openings.get(openingId);
  }

  /** The best `limit` openings taking applications on `day` (`YYYY-MM-DD`) for the person. */
  topOpenings(person: MatchProfile, limit: number, day: string, stats: QueryStats = { scored: 0 }): RankedOpening[] {
    const top = new TopN<{ score: number; id: string; opening: IndexedOpening }>(limit);
    const seen = new Set<string>();
    const consider = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      const opening = this.openings.get(id) as IndexedOpening;
      if (!takesApplications(opening, day)) return;
      stats.scored++;
      const { score, relevant } = quickScore(person, opening);
      if (relevant) top.offer({ score, opening, id });
    };
    const explained = () => top.items.map(({ opening }) => ({ ...scoreMatch(person, opening), opening }));
    // Tiers 0-3: openings whose ISCO code shares 4, 3, 2, 1 leading digits with one of the person's.
    for (let tier = 0; tier < PREFIXES.length; tier++) {
      for (const code of person.occupations) for (const id of this.openingsByPrefix.get(prefixKey(code, PREFIXES[tier])) ?? []) consider(id);
      if (top.closedAbove(maxPointsWithOccupation(TIER_POINTS[tier + 1]) / 100)) return explained();
    }
    // Tier 4: openings in other major groups that require a skill the person has.
    for (const code of person.occupations) for (const id of this.openingsBySkill.get(code) ?? []) consider(id);
    return explained();
  }

  /** The best `limit` persons for the opening. */
  topPeople(opening: MatchOpening, limit: number, stats: QueryStats = { scored: 0 }): RankedPerson[] {
    const top = new TopN<{ score: number; id: string; person: MatchProfile }>(limit);
    const seen = new Set<string>();
    const consider = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      const person = this.profiles.get(id) as MatchProfile;
      stats.scored++;
      const { score, relevant } = quickScore(person, opening);
      if (relevant) top.offer({ score, person, id });
    };
    const explained = () => top.items.map(({ person }) => ({ ...scoreMatch(person, opening), person }));
    for (let tier = 0; tier < PREFIXES.length; tier++) {
      for (const id of this.profilesByPrefix.get(prefixKey(opening.iscoCode, PREFIXES[tier])) ?? []) consider(id);
      if (top.closedAbove(maxPointsWithOccupation(TIER_POINTS[tier + 1]) / 100)) return explained();
    }
    // Persons in other major groups holding a required skill.
    for (const skill of new Set(opening.requiredSkills)) for (const id of this.profilesByPrefix.get(prefixKey(skill, 4)) ?? []) consider(id);
    return explained();
  }

  /**
   * Every opening scored, sorted, cut: the reference the index must agree with, and the
   * benchmark's baseline (the same scorer, the same explanation of the ones returned).
   */
  bruteForceTopOpenings(person: MatchProfile, limit: number, day: string): RankedOpening[] {
    const all: { score: number; id: string; opening: IndexedOpening }[] = [];
    for (const opening of this.openings.values()) {
      if (!takesApplications(opening, day)) continue;
      const { score, relevant } = quickScore(person, opening);
      if (relevant) all.push({ score, opening, id: opening.openingId });
    }
    return all.sort(compareRanked).slice(0, limit).map(({ opening }) => ({ ...scoreMatch(person, opening), opening }));
  }

  /** Every person scored, sorted, cut. */
  bruteForceTopPeople(opening: MatchOpening, limit: number): RankedPerson[] {
    const all: { score: number; id: string; person: MatchProfile }[] = [];
    for (const person of this.profiles.values()) {
      const { score, relevant } = quickScore(person, opening);
      if (relevant) all.push({ score, person, id: person.personId });
    }
    return all.sort(compareRanked).slice(0, limit).map(({ person }) => ({ ...scoreMatch(person, opening), person }));
  }
}

export function takesApplications(opening: IndexedOpening, day: string): boolean {
  return opening.opensOn <= day && (opening.closesOn === null || day <= opening.closesOn);
}
