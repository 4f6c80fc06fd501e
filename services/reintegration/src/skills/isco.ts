import classification from './isco-08.json';

/** A level of the ISCO-08 hierarchy, named by the length of its code (1 to 4 digits). */
export type IscoLevel = 'major' | 'sub-major' | 'minor' | 'unit';

export interface IscoGroup {
  readonly code: string;
  readonly level: IscoLevel;
  readonly title: string;
}

const GROUPS: ReadonlyMap<string, IscoGroup> = new Map(
  (classification.groups as IscoGroup[]).map((group) => [group.code, Object.freeze({ code: group.code, level: group.level, title: group.title })]),
);

/** Every ISCO-08 group (10 major, 43 sub-major, 130 minor, 436 unit groups), as the ILO publishes them. */
export function iscoGroups(): IscoGroup[] {
  return [...GROUPS.values()];
}

/**
 * Whether `code` is an ISCO-08 unit group (four digits, in the ILO list). Profiles and openings
 * name occupations at this level only: it is the level employers and ILO statistics use, and a
 * matcher comparing levels needs one.
 */
export function isIscoUnitCode(code: unknown): code is string {
  return typeof code === 'string' && code.length === 4 && GROUPS.get(code)?.level === 'unit';
}

/** The group with this code, at any level (undefined when ISCO-08 has none). */
export function iscoGroup(code: string): IscoGroup | undefined {
  return GROUPS.get(code);
}

/** Title of a unit group, e.g. `7112` → `Bricklayers and related workers`. */
export function iscoTitle(code: string): string | undefined {
  return GROUPS.get(code)?.title;
}
