import { eventSource, OutboxWriter } from '@puente/messaging';
import { type AgreementKey, computeMatchKeys, type PersonVault } from '@puente/privacy';
import type { DataSource } from 'typeorm';
import type { IntakeConfig } from '../config/intake.config';
import { IntakeEvents } from '../events/intake-events';
import { Person } from '../persons/person.entity';
import { matchIdentityOf } from '../persons/person-mapping';
import { decryptPersonalData } from '../persons/personal-data';
import { MatchKeyPublication } from './match-key-publication';
import { storeMatchKeys } from './match-key-rows';

/**
 * Whether a person keyed under `stored` agreement key ids must be keyed again under `current`:
 * a current key is missing (a new match-key version was added) or a retired one is still there.
 */
export function needsRekey(stored: readonly string[], current: readonly string[]): boolean {
  return current.some((kid) => !stored.includes(kid)) || stored.some((kid) => !current.includes(kid));
}

export interface RekeyReport {
  rekeyed: number;
  published: number;
  batches: number;
}

/**
 * Persons keyed before the current match-key version (see needsRekey), not erased, in batches:
 * each person's identity is decrypted, keyed again under every current agreement key, stored in
 * place of the old keys, and published again (MatchKeysPublished, so peers replace what they
 * hold) when an identity-matching consent is in force. One transaction per person.
 */
export async function rekeyPersons(
  options: { dataSource: DataSource; vault: PersonVault; keys: readonly AgreementKey[]; node: string; batchSize?: number; onBatch?: (done: number) => void },
): Promise<RekeyReport> {
  const { dataSource, vault, keys, node } = options;
  const kids = keys.map((k) => k.kid);
  const publication = new MatchKeyPublication({ PUENTE_NODE: node } as IntakeConfig);
  const events = new IntakeEvents(new OutboxWriter(eventSource(node, 'intake')));
  const report: RekeyReport = { rekeyed: 0, published: 0, batches: 0 };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows: { id: string; kids: string[] }[] = await dataSource.query(
      `SELECT p.id::text, COALESCE(array_agg(DISTINCT m.kid) FILTER (WHERE m.kid IS NOT NULL), '{}') AS kids
         FROM person p LEFT JOIN person_match_key m ON m.person_id = p.id
        WHERE p.erased_at IS NULL AND p.id > $1
        GROUP BY p.id ORDER BY p.id LIMIT $2`,
      [after, options.batchSize ?? 500],
    );
    if (rows.length === 0) return report;
    after = rows[rows.length - 1].id;
    for (const row of rows.filter((r) => needsRekey(r.kids, kids))) {
      await dataSource.transaction(async (tx) => {
        const person = await tx.findOne(Person, { where: { id: row.id }, lock: { mode: 'pessimistic_write' } });
        if (!person || person.erasedAt) return;
        const data = await decryptPersonalData(vault, person, tx);
        if ('erased' in data) return;
        const identity = matchIdentityOf(data, person.nationality);
        const fresh = keys.flatMap((key) => computeMatchKeys(identity, key));
        await storeMatchKeys(tx, person.id, fresh);
        const now = new Date();
        const published = await publication.afterKeysChanged(tx, person.id, fresh, now);
        await events.append(tx, undefined, published, now);
        report.rekeyed += 1;
        report.published += published.length > 0 ? 1 : 0;
      });
    }
    report.batches += 1;
    options.onBatch?.(report.rekeyed);
  }
}
