import { isSearchableMatchKey, type MatchKey } from '@puente/privacy';
import type { EntityManager } from 'typeorm';

/**
 * Match keys as the parallel arrays person_match_key's inserts unnest: kid, rule, value and
 * whether the lookup index holds the key (see IndexSearchableMatchKeys1766102400007).
 */
export function matchKeyColumns(keys: readonly MatchKey[]): [kids: string[], rules: string[], values: string[], searchable: boolean[]] {
  return [keys.map((k) => k.kid), keys.map((k) => k.rule), keys.map((k) => k.value), keys.map(isSearchableMatchKey)];
}

/**
 * Stores match keys, `owners[i]` owning `keys[i]`: one statement however many persons. In the
 * lookup index's order: tens of thousands of random HMAC values then land on each leaf page in
 * turn instead of all over the index (measured 10-25% less time for 20,500 keys of a manifest).
 */
export async function insertMatchKeys(tx: EntityManager, owners: readonly string[], keys: readonly MatchKey[]): Promise<void> {
  if (keys.length === 0) return;
  await tx.query(
    `INSERT INTO person_match_key (person_id, kid, rule, value, searchable)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[]) AS k (person_id, kid, rule, value, searchable) ORDER BY value, rule, kid`,
    [owners, ...matchKeyColumns(keys)],
  );
}

/** Replaces a local person's stored match keys. */
export async function storeMatchKeys(tx: EntityManager, personId: string, keys: readonly MatchKey[]): Promise<void> {
  await tx.query('DELETE FROM person_match_key WHERE person_id = $1', [personId]);
  await insertMatchKeys(tx, keys.map(() => personId), keys);
}
