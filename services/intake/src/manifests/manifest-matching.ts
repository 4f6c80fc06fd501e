// Pure rules of a manifest call's register-or-match, decided for all its rows at once (the I/O
// is in ManifestRegistrationService): which stored keys are whose candidates, and what each row
// becomes.
import type { MatchKey } from '@puente/privacy';
import type { Candidate } from '../duplicates/duplicate-detector';

/** A stored match key sharing a value with a row: a local person's (node null) or a partner node's. */
export interface StoredKey {
  node: string | null;
  ref: string;
  kid: string;
  rule: string;
  value: string;
}

const SEP = '\u001f';
export const keyId = (k: { kid: string; value: string }) => `${k.kid}${SEP}${k.value}`;

/**
 * The candidates of each row: every record (local person or partner reference) holding a key
 * equal to one of the row's (same kid and value), with those of its keys. `localNode` names a
 * local person's node. One lookup answers for every row of a call.
 */
export function candidatesByRow(rows: readonly (readonly MatchKey[])[], stored: readonly StoredKey[], localNode: string): Candidate[][] {
  const rowsOfKey = new Map<string, number[]>();
  rows.forEach((keys, i) => {
    for (const k of new Set(keys.map(keyId))) {
      const list = rowsOfKey.get(k) ?? [];
      list.push(i);
      rowsOfKey.set(k, list);
    }
  });
  const byRow = rows.map(() => new Map<string, Candidate>());
  for (const s of stored) {
    const node = s.node ?? localNode;
    const record = `${node}${SEP}${s.ref}`;
    for (const i of rowsOfKey.get(keyId(s)) ?? []) {
      const candidate = byRow[i].get(record) ?? { node, reference: s.ref, keys: [] };
      candidate.keys.push({ rule: s.rule as MatchKey['rule'], kid: s.kid, value: s.value });
      byRow[i].set(record, candidate);
    }
  }
  return byRow.map((m) => [...m.values()]);
}

/** What decides a row: its exact-identity keys, the local persons sharing them, the person answered before. */
export interface RowToDecide {
  /** The row's FULLNAME_DOB keys (keyId), one per agreement key. */
  identityKeys: readonly string[];
  /** Local persons whose keys include one of identityKeys (the FULLNAME_DOB signal). */
  sameLocalPersons: readonly string[];
  /**
   * The person intake answered for this row before (a corrected row sent again), when that
   * person exists and is not erased; `registeredByCaller`: registered by the calling service
   * (from a manifest), so its identity is the manifest's to correct.
   */
  previous: { personId: string; registeredByCaller: boolean } | null;
}

export type RowDecision =
  /** An existing local person: the only one with the same full name and birth date, or the one answered before. */
  | { kind: 'match'; personId: string }
  /** The person answered before, registered from a manifest: their identity becomes the corrected one. */
  | { kind: 'correct'; personId: string }
  /** The same identity as an earlier row of this call that registers a new person: that person. */
  | { kind: 'same-as-row'; row: number }
  | { kind: 'register' };

/**
 * Decides every row of a call, in order:
 * 1. exactly one local person with the same full name and birth date: that person;
 * 2. the same identity as an earlier row of the call: that row's person (one registration per identity);
 * 3. a corrected row whose person intake answered before: still that person (corrected if the
 *    caller registered them, kept as they are otherwise; never a second person for it);
 * 4. otherwise a new person.
 */
export function decideRows(rows: readonly RowToDecide[]): RowDecision[] {
  const decided: RowDecision[] = [];
  const byIdentity = new Map<string, number>();
  const corrected = new Set<string>();
  rows.forEach((row, i) => {
    const earlier = row.identityKeys.map((k) => byIdentity.get(k)).find((j) => j !== undefined);
    let decision: RowDecision;
    const previous = row.previous;
    const once = previous !== null && previous.registeredByCaller && !corrected.has(previous.personId);
    if (row.sameLocalPersons.length === 1) {
      // Still the person answered before (sex or nationality corrected): corrected like any correction.
      const same = row.sameLocalPersons[0];
      decision = once && same === previous.personId ? { kind: 'correct', personId: same } : { kind: 'match', personId: same };
    } else if (earlier !== undefined) {
      const first = decided[earlier];
      decision = first.kind === 'register' ? { kind: 'same-as-row', row: earlier } : first.kind === 'same-as-row' ? first : { kind: 'match', personId: first.personId };
    } else if (previous) {
      decision = once ? { kind: 'correct', personId: previous.personId } : { kind: 'match', personId: previous.personId };
    } else decision = { kind: 'register' };
    if (decision.kind === 'correct') corrected.add(decision.personId);
    decided.push(decision);
    for (const k of row.identityKeys) if (!byIdentity.has(k)) byIdentity.set(k, i);
  });
  return decided;
}
