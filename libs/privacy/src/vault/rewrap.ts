import type { DataSource } from 'typeorm';
import type { KeyEncryptionKeyring } from '../crypto/key-encryption-keyring';
import { UnknownKeyEncryptionKeyError } from '../errors';

export interface RewrapOptions {
  /** Only re-wrap keys currently under this KEK (default: every KEK but the active one). */
  fromKid?: string;
  /** Keys per transaction (default 500). */
  batchSize?: number;
  /** Called after each committed batch. */
  onBatch?: (progress: { batch: number; rewrapped: number }) => void;
}

export interface RewrapReport {
  /** The active KEK every key is now wrapped under. */
  toKid: string;
  rewrapped: number;
  batches: number;
}

/** Counts of data keys by KEK id, plus tombstones; no key material, no person ids. */
export interface DataKeyInventory {
  byKek: Record<string, number>;
  erased: number;
}

/**
 * Key rotation: re-wraps every non-shredded data key that is not under the active KEK
 * (or only those under `fromKid`) with the active KEK, in batches, one transaction each
 * (rows locked FOR UPDATE, so a concurrent shred either wins or waits). Data keys do not
 * change, so field ciphertexts and caches stay valid. Throws UnknownKeyEncryptionKeyError if
 * a key is wrapped under a KEK missing from the keyring; committed batches stay done and a
 * re-run continues where it stopped.
 *
 * Procedure: add the new KEK to PUENTE_KEKS and make it PUENTE_ACTIVE_KEK on every process
 * of the service, run this, check `dataKeyInventory()` shows only the new kid, then remove
 * the old KEK from PUENTE_KEKS.
 */
export async function rewrapAll(ds: DataSource, keyring: KeyEncryptionKeyring, options: RewrapOptions = {}): Promise<RewrapReport> {
  const toKid = keyring.activeKid;
  const batchSize = Math.max(1, Math.min(10_000, Math.floor(options.batchSize ?? 500)));
  const fromKid = options.fromKid ?? null;
  const report: RewrapReport = { toKid, rewrapped: 0, batches: 0 };
  if (fromKid === toKid) return report;
  if (fromKid !== null && !keyring.has(fromKid)) throw new UnknownKeyEncryptionKeyError(fromKid);
  let cursor: string | null = null;
  for (;;) {
    const done: number = await ds.transaction(async (m) => {
      const rows: { person_id: string; kek_id: string; wrapped_key: Buffer }[] = await m.query(
        `SELECT person_id, kek_id, wrapped_key FROM person_data_key
         WHERE shredded_at IS NULL AND kek_id <> $1
           AND ($2::text IS NULL OR kek_id = $2::text)
           AND ($3::uuid IS NULL OR person_id > $3::uuid)
         ORDER BY person_id LIMIT $4 FOR UPDATE`,
        [toKid, fromKid, cursor, batchSize],
      );
      if (rows.length === 0) return 0;
      const ids: string[] = [];
      const wrapped: Buffer[] = [];
      for (const row of rows) {
        const key = keyring.unwrap(row.person_id, row.kek_id, row.wrapped_key);
        ids.push(row.person_id);
        wrapped.push(keyring.wrap(row.person_id, key).wrappedKey);
      }
      await m.query(
        `UPDATE person_data_key AS p SET kek_id = $1, wrapped_key = v.wrapped_key, rotated_at = now()
         FROM unnest($2::uuid[], $3::bytea[]) AS v(person_id, wrapped_key)
         WHERE p.person_id = v.person_id`,
        [toKid, ids, wrapped],
      );
      cursor = ids[ids.length - 1];
      return rows.length;
    });
    if (done === 0) return report;
    report.rewrapped += done;
    report.batches += 1;
    options.onBatch?.({ batch: report.batches, rewrapped: report.rewrapped });
  }
}

/** How many active data keys each KEK wraps, and how many persons are erased. */
export async function dataKeyInventory(ds: DataSource): Promise<DataKeyInventory> {
  const rows: { kek_id: string | null; n: string }[] = await ds.query(
    `SELECT kek_id, count(*)::text AS n FROM person_data_key GROUP BY kek_id ORDER BY kek_id NULLS LAST`,
  );
  const inventory: DataKeyInventory = { byKek: {}, erased: 0 };
  for (const r of rows) {
    if (r.kek_id === null) inventory.erased = Number(r.n);
    else inventory.byKek[r.kek_id] = Number(r.n);
  }
  return inventory;
}
