import { type CefrLevel, cefrRank } from '../skills/cefr';

/**
 * Attributes that must never decide a match: the ones anti-discrimination law and humanitarian
 * principles protect, and the protection flags screening raises. Neither MatchProfile nor
 * MatchOpening has a field of these names (checked at compile time below), and `matchProfileOf`
 * copies the scored fields one by one, so a wider record passed in cannot leak one into a score.
 */
export const PROTECTED_ATTRIBUTES = ['sex', 'ageBand', 'age', 'birthDate', 'nationality', 'ethnicity', 'indigenous', 'flags', 'vulnerabilityFlags', 'religion', 'disability'] as const;
export type ProtectedAttribute = (typeof PROTECTED_ATTRIBUTES)[number];

export interface LanguageAbility {
  /** ISO 639 code (`es`, `en`, `quc`). */
  readonly code: string;
  readonly level: CefrLevel;
}

export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

/**
 * Everything the scorer knows of a person, and nothing else: the ISCO-08 unit groups of the
 * person's trades, occupations and certificates, languages with their CEFR level, and where the
 * person looks for work (coarse, see docs/reintegration.md).
 */
export interface MatchProfile {
  readonly personId: string;
  readonly occupations: readonly string[];
  readonly languages: readonly LanguageAbility[];
  readonly location: GeoPoint | null;
}

/** Everything the scorer knows of a job opening. */
export interface MatchOpening {
  readonly openingId: string;
  /** ISCO-08 unit group of the job. */
  readonly iscoCode: string;
  /** ISCO-08 unit groups whose competence the job needs besides its own. */
  readonly requiredSkills: readonly string[];
  readonly requiredLanguages: readonly LanguageAbility[];
  readonly location: GeoPoint | null;
}

// Compile-time guard: adding a protected attribute to a scorer input fails the build here.
type NoProtected<T> = [Extract<keyof T, ProtectedAttribute>] extends [never] ? true : never;
export const SCORER_INPUTS_HAVE_NO_PROTECTED_ATTRIBUTE: NoProtected<MatchProfile> & NoProtected<MatchOpening> = true;

/** The scored fields of any record that has them (a skills profile with more attributes, a test person). */
export function matchProfileOf(record: MatchProfile): MatchProfile {
  return {
    personId: record.personId,
    occupations: [...record.occupations],
    languages: record.languages.map((l) => ({ code: l.code, level: l.level })),
    location: record.location ? { lat: record.location.lat, lon: record.location.lon } : null,
  };
}

/** Points of each part of a score (they add up to 100). */
export const WEIGHTS = {
  /** The person's closest occupation to the job's: same unit group 40, minor 25, sub-major 15, major 5. */
  occupation: { unit: 40, minor: 25, 'sub-major': 15, major: 5 },
  /** Share of the required skills the person has (all of them when none are required). */
  skills: 30,
  /** Share of the required languages the person speaks at the required level or above. */
  languages: 20,
  /** Full at the same place, nothing from DISTANCE_LIMIT_KM on. */
  distance: 10,
} as const;
export const DISTANCE_LIMIT_KM = 100;

/** The most any opening can score with an occupation at `tier` (or none): what the index prunes with. */
export function maxPointsWithOccupation(occupationPoints: number): number {
  return occupationPoints + WEIGHTS.skills + WEIGHTS.languages + WEIGHTS.distance;
}

export type OccupationLevel = keyof typeof WEIGHTS.occupation;

export interface LanguageExplanation {
  readonly code: string;
  readonly required: CefrLevel;
  /** The person's level, null when they do not speak it. */
  readonly held: CefrLevel | null;
}

/** Why a person and an opening scored what they did: what a caseworker reads next to the score. */
export interface MatchExplanation {
  /** The person's occupation closest to the job's, and how close (null when none shares even the major group). */
  readonly occupation: { readonly code: string; readonly level: OccupationLevel } | null;
  readonly skillsMatched: readonly string[];
  readonly skillsMissing: readonly string[];
  readonly languagesMet: readonly LanguageExplanation[];
  readonly languagesMissing: readonly LanguageExplanation[];
  /** Great-circle distance, 0.1 km; null when either place is unknown. */
  readonly distanceKm: number | null;
}

export interface MatchScore {
  /** 0 to 1, four decimals: equal scores are equal numbers, so ties break on ids, deterministically. */
  readonly score: number;
  /** Whether the pair is worth proposing at all: an occupation in the same major group, or a required skill held. */
  readonly relevant: boolean;
  readonly explanation: MatchExplanation;
}

const LEVEL_BY_PREFIX: readonly [number, OccupationLevel][] = [
  [4, 'unit'],
  [3, 'minor'],
  [2, 'sub-major'],
  [1, 'major'],
];

/** How close two unit groups are: the longest common code prefix, as an ISCO level (null when different major groups). */
export function occupationLevel(a: string, b: string): OccupationLevel | null {
  for (const [length, level] of LEVEL_BY_PREFIX) if (a.slice(0, length) === b.slice(0, length)) return level;
  return null;
}

const EARTH_RADIUS_KM = 6371.0088;

export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

// Per-object preparation reused across a scan (inputs are read-only): the person's codes as a set
// and best level per language, the opening's requirements deduplicated and sorted.
interface PreparedPerson {
  held: ReadonlySet<string>;
  languages: ReadonlyMap<string, CefrLevel>;
}
interface PreparedOpening {
  skills: readonly string[];
  languages: readonly LanguageAbility[];
}
const preparedPersons = new WeakMap<MatchProfile, PreparedPerson>();
const preparedOpenings = new WeakMap<MatchOpening, PreparedOpening>();

function preparePerson(person: MatchProfile): PreparedPerson {
  let prepared = preparedPersons.get(person);
  if (!prepared) {
    const languages = new Map<string, CefrLevel>();
    for (const l of person.languages) {
      const best = languages.get(l.code);
      if (best === undefined || cefrRank(l.level) > cefrRank(best)) languages.set(l.code, l.level);
    }
    prepared = { held: new Set(person.occupations), languages };
    preparedPersons.set(person, prepared);
  }
  return prepared;
}

function prepareOpening(opening: MatchOpening): PreparedOpening {
  let prepared = preparedOpenings.get(opening);
  if (!prepared) {
    const languages = new Map<string, LanguageAbility>();
    for (const l of opening.requiredLanguages) if (!languages.has(l.code)) languages.set(l.code, l);
    prepared = {
      skills: [...new Set(opening.requiredSkills)].sort(),
      languages: [...languages.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)),
    };
    preparedOpenings.set(opening, prepared);
  }
  return prepared;
}

function bestOccupation(person: MatchProfile, opening: MatchOpening): { points: number; match: MatchExplanation['occupation'] } {
  let points = 0;
  let match: MatchExplanation['occupation'] = null;
  for (const code of person.occupations) {
    const level = occupationLevel(code, opening.iscoCode);
    if (!level) continue;
    const p = WEIGHTS.occupation[level];
    // The same points from two codes: name the smaller, so explanations are stable.
    if (p > points || (p === points && match && code < match.code)) {
      points = p;
      match = { code, level };
    }
  }
  return { points, match };
}

function distancePart(person: MatchProfile, opening: MatchOpening): { km: number | null; points: number } {
  if (!person.location || !opening.location) return { km: null, points: 0 };
  const km = distanceKm(person.location, opening.location);
  return { km: Math.round(km * 10) / 10, points: WEIGHTS.distance * Math.max(0, 1 - km / DISTANCE_LIMIT_KM) };
}

const toScore = (points: number) => Math.round(points * 100) / 10_000;

/**
 * The score alone, and whether the pair is relevant, without building an explanation: what a scan
 * ranks with. Always equal to `scoreMatch(...).score` (tested); the explanation is built for the
 * few that are returned.
 */
export function quickScore(person: MatchProfile, opening: MatchOpening): { score: number; relevant: boolean } {
  const p = preparePerson(person);
  const o = prepareOpening(opening);
  const occupation = bestOccupation(person, opening).points;
  let skillsMatched = 0;
  for (const code of o.skills) if (p.held.has(code)) skillsMatched++;
  let languagesMet = 0;
  for (const need of o.languages) {
    const held = p.languages.get(need.code);
    if (held !== undefined && cefrRank(held) >= cefrRank(need.level)) languagesMet++;
  }
  const skillPoints = o.skills.length === 0 ? WEIGHTS.skills : (WEIGHTS.skills * skillsMatched) / o.skills.length;
  const languagePoints = o.languages.length === 0 ? WEIGHTS.languages : (WEIGHTS.languages * languagesMet) / o.languages.length;
  return { score: toScore(occupation + skillPoints + languagePoints + distancePart(person, opening).points), relevant: occupation > 0 || skillsMatched > 0 };
}

/** The score of a person for an opening, with its explanation. Pure: the same inputs give the same number. */
export function scoreMatch(person: MatchProfile, opening: MatchOpening): MatchScore {
  const p = preparePerson(person);
  const o = prepareOpening(opening);
  const occupation = bestOccupation(person, opening);
  const skillsMatched = o.skills.filter((code) => p.held.has(code));
  const skillsMissing = o.skills.filter((code) => !p.held.has(code));
  const skillPoints = o.skills.length === 0 ? WEIGHTS.skills : (WEIGHTS.skills * skillsMatched.length) / o.skills.length;

  const languagesMet: LanguageExplanation[] = [];
  const languagesMissing: LanguageExplanation[] = [];
  for (const need of o.languages) {
    const held = p.languages.get(need.code) ?? null;
    const entry = { code: need.code, required: need.level, held };
    if (held !== null && cefrRank(held) >= cefrRank(need.level)) languagesMet.push(entry);
    else languagesMissing.push(entry);
  }
  const languagePoints = o.languages.length === 0 ? WEIGHTS.languages : (WEIGHTS.languages * languagesMet.length) / o.languages.length;
  const distance = distancePart(person, opening);

  return {
    score: toScore(occupation.points + skillPoints + languagePoints + distance.points),
    relevant: occupation.points > 0 || skillsMatched.length > 0,
    explanation: { occupation: occupation.match, skillsMatched, skillsMissing, languagesMet, languagesMissing, distanceKm: distance.km },
  };
}

/** Best first; equal scores in id order (UUIDs compare as lower-case strings), so a ranking never depends on load order. */
export function compareRanked(a: { score: number; id: string }, b: { score: number; id: string }): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
