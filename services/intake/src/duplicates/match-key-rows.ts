import { isSearchableMatchKey, type MatchKey } from '@puente/privacy';
import type { EntityManager } from 'typeorm';

/**
 * Match keys as the parallel arrays person_match_key's inserts unnest: kid, rule, value and
 * whether the lookup index holds the key (see IndexSearchableMatchKeys1766102400007).
 */
export function matchKeyColumns(keys: readonly MatchKey[]): [kids: string[], rules: string[], values: string[], searchable: boolean[]] {
  return [keys.map((k) => k.kid), keys.map((k) => k.rule), keys.map((k) => k.value), keys.map(isSearchableMatchKey)];
}

/** Replaces a local person's stored match keys. */
export async function storeMatchKeys(tx: EntityManager, personId: string, keys: readonly MatchKey[]): Promise<void> {
  await tx.query('DELETE FROM person_match_key WHERE person_id = $1', [personId]);
  if (keys.length === 0) return;
  await tx.query(
    `INSERT INTO person_match_key (person_id, kid, rule, value, searchable)
     SELECT $1, k, r, v, s FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[]) AS t (k, r, v, s)`,
    [personId, ...matchKeyColumns(keys)],
  );
}
