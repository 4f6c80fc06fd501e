import type { EntityManager } from 'typeorm';
import { type CefrLevel, isCefrLevel } from '../skills/cefr';
import type { GeoPoint, LanguageAbility, MatchProfile } from './scorer';

/** Grid of the work area kept with the match features: 0.05° (about 5.5 km), coarse enough not to point at a home. */
export const AREA_GRID_DEGREES = 0.05;

export function coarseArea(point: GeoPoint | null): GeoPoint | null {
  if (!point) return null;
  const snap = (v: number) => Math.round(Math.round(v / AREA_GRID_DEGREES) * AREA_GRID_DEGREES * 100) / 100;
  return { lat: snap(point.lat), lon: snap(point.lon) };
}

/** Writes (or replaces) a person's match features, in the caller's transaction. */
export async function saveMatchFeatures(tx: EntityManager, features: MatchProfile): Promise<void> {
  const area = coarseArea(features.location);
  await tx.query(
    `INSERT INTO match_profile (person_id, active, occupations, languages, area_lat, area_lon) VALUES ($1, true, $2, $3, $4, $5)
     ON CONFLICT (person_id) DO UPDATE SET active = true, occupations = EXCLUDED.occupations, languages = EXCLUDED.languages,
       area_lat = EXCLUDED.area_lat, area_lon = EXCLUDED.area_lon, updated_at = clock_timestamp()`,
    [features.personId, [...new Set(features.occupations)].sort(), features.languages.map((l) => `${l.code}:${l.level}`).sort(), area?.lat ?? null, area?.lon ?? null],
  );
}

/** Empties a person's match features (erased, or no consent left): the row stays so every index learns it. */
export async function clearMatchFeatures(tx: EntityManager, personId: string): Promise<void> {
  await tx.query(
    `UPDATE match_profile SET active = false, occupations = '{}', languages = '{}', area_lat = NULL, area_lon = NULL, updated_at = clock_timestamp()
     WHERE person_id = $1`,
    [personId],
  );
}

export interface MatchProfileRow {
  person_id: string;
  active: boolean;
  occupations: string[];
  languages: string[];
  area_lat: number | null;
  area_lon: number | null;
}

export function matchProfileFromRow(row: MatchProfileRow): MatchProfile {
  const languages: LanguageAbility[] = [];
  for (const entry of row.languages) {
    const [code, level] = entry.split(':');
    if (code && isCefrLevel(level)) languages.push({ code, level: level as CefrLevel });
  }
  return {
    personId: row.person_id,
    occupations: row.occupations,
    languages,
    location: row.area_lat === null || row.area_lon === null ? null : { lat: row.area_lat, lon: row.area_lon },
  };
}
