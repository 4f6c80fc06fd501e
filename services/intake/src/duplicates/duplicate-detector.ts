import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PossibleDuplicateFoundSchema, toTimestamp } from '@puente/contracts';
import { type AgreementKey, computeMatchKeys, lookupSignals, type MatchIdentity, type MatchKey, type MatchSignal, scoreMatch, signalOf } from '@puente/privacy';
import { queryPrepared } from '@puente/platform';
import type { EntityManager } from 'typeorm';
import { AGREEMENT_KEYS } from '../common/privacy.providers';
import { IntakeConfig } from '../config/intake.config';
import { event, type IntakeEvent } from '../events/intake-events';
import { storeMatchKeys } from './match-key-rows';

/** A record that shares match keys with a person: a local person or a partner node's reference. */
export interface Candidate {
  node: string;
  reference: string;
  /** The other record's keys that equal one of ours (same kid and value). */
  keys: MatchKey[];
}

export interface FoundDuplicate {
  id: string;
  personId: string;
  caseId: string;
  otherNode: string;
  otherReference: string;
  score: number;
  rules: string[];
}

interface KeyRow {
  node: string | null;
  ref: string;
  kid: string;
  rule: string;
  value: string;
}

/**
 * The candidate query of `keys` (see DuplicateDetector.candidates), or null when no key is of a
 * lookup signal: records found by the keys of `lookup` signals, each with every key of `keys` it
 * shares. Exported so the scale benchmark explains the very query the service runs.
 */
export function candidateQuery(
  keys: readonly MatchKey[],
  lookup: ReadonlySet<MatchSignal>,
  options: { excludePersonId?: string; local?: boolean; partners?: boolean } = {},
): { text: string; values: unknown[] } | null {
  const anchors = keys.filter((k) => lookup.has(signalOf(k.rule)));
  if (anchors.length === 0) return null;
  // By value and kid only: a NEAR_FIRSTNAMES form may sit in a different slot (rule) on each side.
  const params = [anchors.map((k) => k.value), anchors.map((k) => k.kid), keys.map((k) => k.value), keys.map((k) => k.kid)];
  const parts: string[] = [];
  // Local keys are searchable ones only, both to find persons and to score them: a person's
  // fillers equal no one else's keys, so leaving them out changes no score (match-keys.spec), and
  // the lookup index, which holds no fillers, can serve both steps. Asked for every key of a found
  // person instead, the planner had only the primary key or a scan of the whole table, and chose
  // the scan on a table without statistics (bench intake, 140 thousand keys: 8 ms a lookup).
  if (options.local !== false) {
    parts.push(`SELECT NULL::text AS node, found.person_id::text AS ref, k.kid, k.rule, k.value
      FROM (SELECT DISTINCT person_id FROM person_match_key
            WHERE (value, kid) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND searchable
              AND ($5::uuid IS NULL OR person_id <> $5::uuid)) AS found
      CROSS JOIN LATERAL (SELECT kid, rule, value, searchable FROM person_match_key m WHERE m.person_id = found.person_id) AS k
      WHERE (k.value, k.kid) IN (SELECT * FROM unnest($3::text[], $4::text[])) AND k.searchable`);
  }
  if (options.partners !== false) {
    parts.push(`SELECT found.node::text, found.reference, k.kid, k.rule, k.value
      FROM (SELECT DISTINCT node, reference FROM partner_match_key
            WHERE (value, kid) IN (SELECT * FROM unnest($1::text[], $2::text[]))) AS found
      CROSS JOIN LATERAL (SELECT kid, rule, value FROM partner_match_key m WHERE m.node = found.node AND m.reference = found.reference) AS k
      WHERE (k.value, k.kid) IN (SELECT * FROM unnest($3::text[], $4::text[]))`);
  }
  return { text: parts.join(' UNION ALL '), values: options.local !== false ? [...params, options.excludePersonId ?? null] : params };
}

/**
 * Duplicate detection by keyed match keys (libs/privacy): compute and store a person's keys,
 * find local persons and partner nodes' references sharing keys, score them and record those at
 * or above the threshold as possible duplicates, with a PossibleDuplicateFound event each. Only
 * ids, rules and scores are ever exposed, never the other record's data.
 */
@Injectable()
export class DuplicateDetector {
  constructor(
    @Inject(AGREEMENT_KEYS) private readonly agreementKeys: AgreementKey[],
    private readonly config: IntakeConfig,
  ) {
    this.lookup = lookupSignals(config.DUPLICATE_SCORE_THRESHOLD);
  }

  /** Signals whose keys find candidates (see candidates). */
  private readonly lookup: Set<MatchSignal>;

  get threshold(): number {
    return this.config.DUPLICATE_SCORE_THRESHOLD;
  }

  /** The person's match keys under every agreement key. */
  keysOf(identity: MatchIdentity): MatchKey[] {
    return this.agreementKeys.flatMap((key) => computeMatchKeys(identity, key));
  }

  /** Replaces a local person's stored keys. */
  async storeKeys(tx: EntityManager, personId: string, keys: readonly MatchKey[]): Promise<void> {
    await storeMatchKeys(tx, personId, keys);
  }

  /**
   * Local persons (other than `excludePersonId`) and partner references that share a key of
   * `keys` and can reach the threshold, each with every key it shares. Records are found by the
   * keys of the lookup signals only (lookupSignals): a record sharing nothing but keys of the
   * broadest signals (a common surname and a birth year) scores below the threshold anyway, and
   * at a million persons such keys are shared by dozens.
   */
  async candidates(tx: EntityManager, keys: readonly MatchKey[], options: { excludePersonId?: string; local?: boolean; partners?: boolean } = {}): Promise<Candidate[]> {
    const query = candidateQuery(keys, this.lookup, options);
    if (!query) return [];
    // Prepared once per connection: every registration runs it (parse and plan were 60% of its time).
    const rows = await queryPrepared<KeyRow>(tx, query.text, query.values);
    const byRecord = new Map<string, Candidate>();
    for (const row of rows) {
      const node = row.node ?? this.config.PUENTE_NODE;
      const id = `${node}\u001f${row.ref}`;
      const candidate = byRecord.get(id) ?? { node, reference: row.ref, keys: [] };
      candidate.keys.push({ rule: row.rule as MatchKey['rule'], kid: row.kid, value: row.value });
      byRecord.set(id, candidate);
    }
    return [...byRecord.values()];
  }

  /**
   * Scores candidates against `mine` and records those at or above the threshold for the
   * person on `caseId` (new pairs, or open pairs whose score changed). A local pair already
   * recorded the other way round is not recorded twice. Returns the duplicates and their events.
   */
  async record(
    tx: EntityManager,
    person: { personId: string; caseId: string },
    mine: readonly MatchKey[],
    candidates: readonly Candidate[],
    at: Date,
  ): Promise<{ duplicates: FoundDuplicate[]; events: IntakeEvent[] }> {
    const duplicates: FoundDuplicate[] = [];
    const events: IntakeEvent[] = [];
    for (const { c, score, rules } of this.score(mine, candidates)) {
      const local = c.node === this.config.PUENTE_NODE;
      const rows: { id: string }[] = await tx.query(
        `INSERT INTO possible_duplicate (id, person_id, case_id, other_node, other_reference, rules, score, status, found_at)
         SELECT $1::uuid, $2::uuid, $3::uuid, $4::text, $5::text, $6::text[], $7::float8, 'open', $8::timestamptz
         WHERE NOT ($9::boolean AND EXISTS (
           SELECT 1 FROM possible_duplicate WHERE person_id::text = $5::text AND other_node = $4::text AND other_reference = $2::uuid::text))
         ON CONFLICT (person_id, other_node, other_reference) DO UPDATE SET rules = EXCLUDED.rules, score = EXCLUDED.score, version = possible_duplicate.version + 1
           WHERE possible_duplicate.status = 'open' AND (possible_duplicate.score <> EXCLUDED.score OR possible_duplicate.rules <> EXCLUDED.rules)
         RETURNING id`,
        [randomUUID(), person.personId, person.caseId, c.node, c.reference, rules, score, at, local],
      );
      if (rows.length === 0) continue;
      const found: FoundDuplicate = { id: rows[0].id, personId: person.personId, caseId: person.caseId, otherNode: c.node, otherReference: c.reference, score, rules };
      duplicates.push(found);
      events.push(this.foundEvent(found, at));
    }
    return { duplicates, events };
  }

  /** Candidates scored against `mine`, at or above the threshold, best first. */
  score(mine: readonly MatchKey[], candidates: readonly Candidate[]): { c: Candidate; score: number; rules: string[] }[] {
    return candidates
      .map((c) => ({ c, ...scoreMatch(mine, c.keys) }))
      .filter((s) => s.score >= this.threshold && s.rules.length > 0)
      .sort((a, b) => b.score - a.score || a.c.reference.localeCompare(b.c.reference));
  }

  foundEvent(found: FoundDuplicate, at: Date): IntakeEvent {
    return event(
      PossibleDuplicateFoundSchema,
      {
        duplicateId: found.id,
        personId: found.personId,
        caseId: found.caseId,
        otherReference: found.otherReference,
        otherNode: found.otherNode,
        rules: found.rules,
        score: found.score,
        foundAt: toTimestamp(at),
      },
      found.caseId,
    );
  }
}
