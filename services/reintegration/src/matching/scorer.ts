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

/** The score of a person for an opening, with its explanation. Pure: the same inputs give the same number. */
export function scoreMatch(person: MatchProfile, opening: MatchOpening): MatchScore {
  let occupation: MatchExplanation['occupation'] = null;
  let occupationPoints = 0;
  for (const code of person.occupations) {
    const level = occupationLevel(code, opening.iscoCode);
    if (level && WEIGHTS.occupation[level] > occupationPoints) {
      occupationPoints = WEIGHTS.occupation[level];
      occupation = { code, level };
    } else if (level && WEIGHTS.occupation[level] === occupationPoints && occupation && code < occupation.code) {
      occupation = { code, level }; // the same points from two codes: name the smaller, so explanations are stable
    }
  }

  const held = new Set(person.occupations);
  const required = [...new Set(opening.requiredSkills)].sort();
  const skillsMatched = required.filter((code) => held.has(code));
  const skillsMissing = required.filter((code) => !held.has(code));
  const skillPoints = required.length === 0 ? WEIGHTS.skills : (WEIGHTS.skills * skillsMatched.length) / required.length;

  const languagesMet: LanguageExplanation[] = [];
  const languagesMissing: LanguageExplanation[] = [];
  const requiredLanguages = [...opening.requiredLanguages].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  for (const need of requiredLanguages) {
    let best: CefrLevel | null = null;
    for (const l of person.languages) if (l.code === need.code && (best === null || cefrRank(l.level) > cefrRank(best))) best = l.level;
    const entry = { code: need.code, required: need.level, held: best };
    if (best !== null && cefrRank(best) >= cefrRank(need.level)) languagesMet.push(entry);
    else languagesMissing.push(entry);
  }
  const languagePoints = requiredLanguages.length === 0 ? WEIGHTS.languages : (WEIGHTS.languages * languagesMet.length) / requiredLanguages.length;

  let distance: number | null = null;
  let distancePoints = 0;
  if (person.location && opening.location) {
    const km = distanceKm(person.location, opening.location);
    distance = Math.round(km * 10) / 10;
    distancePoints = WEIGHTS.distance * Math.max(0, 1 - km / DISTANCE_LIMIT_KM);
  }

  const points = occupationPoints + skillPoints + languagePoints + distancePoints;
  return {
    score: Math.round(points * 100) / 10_000,
    relevant: occupationPoints > 0 || skillsMatched.length > 0,
    explanation: { occupation, skillsMatched, skillsMissing, languagesMet, languagesMissing, distanceKm: distance },
  };
}

/** Best first; equal scores in id order (UUIDs compare as lower-case strings), so a ranking never depends on load order. */
export function compareRanked(a: { score: number; id: string }, b: { score: number; id: string }): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
