import type { StatementPart } from '@puente/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { canonicalPersonId, checkFieldName } from '../crypto/context';
import { DataKey } from '../crypto/data-key';
import { FieldCipher } from '../crypto/field-cipher';
import type { KeyEncryptionKeyring } from '../crypto/key-encryption-keyring';
import { AlreadyErasedError, DataKeyNotFoundError, PersonErasedError, PrivacyInputError } from '../errors';
import { DataKeyCache, type DataKeyCacheOptions } from './data-key-cache';

/** A plain object whose values are strings, null or undefined (plaintexts or ciphertexts). */
export type FieldValues<T> = { [K in keyof T]: string | null | undefined };

/** `T` with every string value swapped for its counterpart (ciphertext ↔ plaintext); null/undefined kept. */
export type TransformedFields<T> = {
  [K in keyof T]: T[K] extends string ? string : T[K] extends null | undefined ? T[K] : string | Extract<T[K], null | undefined>;
};

/** Column values ready to store: each string replaced by its `pv1.` ciphertext. */
export type EncryptedFields<T> = TransformedFields<T>;

/** The plaintexts of a person's fields. */
export interface DecryptedPersonalData<T> {
  readonly erased: false;
  readonly personId: string;
  readonly fields: TransformedFields<T>;
}

/** What decrypting yields once the person was crypto-shredded: no data, the erasure time. */
export class ErasedPersonalData {
  readonly erased = true as const;

  constructor(
    readonly personId: string,
    readonly erasedAt: Date,
  ) {}

  /** The typed error to throw (services map it to 410 Gone). */
  toError(): PersonErasedError {
    return new PersonErasedError(this.personId, this.erasedAt);
  }
}

export function isErased(value: unknown): value is ErasedPersonalData {
  return value instanceof ErasedPersonalData;
}

/** The state of one person's data key, without key material. */
export type DataKeyStatus =
  | { state: 'none' }
  | { state: 'active'; kekId: string; createdAt: Date; rotatedAt: Date | null }
  | { state: 'erased'; erasedAt: Date };

/** Proof of a shred. `hadDataKey` is false when the tombstone was written for a person with no key yet. */
export interface ShredReceipt {
  personId: string;
  erasedAt: Date;
  hadDataKey: boolean;
}

export interface PersonVaultOptions {
  /** Unwrapped-key cache; `false` disables it. */
  cache?: DataKeyCacheOptions | false;
}

type KeyState = { state: 'active'; key: DataKey } | { state: 'erased'; erasedAt: Date } | { state: 'none' };

/**
 * Inserts a data key unless the person has one, and returns the row that existed before this
 * statement (NULL columns when none was visible) with whether the insert happened.
 */
const CREATE_OR_READ_KEY = `
  WITH ins AS (
    INSERT INTO person_data_key (person_id, kek_id, wrapped_key) VALUES ($1, $2, $3)
    ON CONFLICT (person_id) DO NOTHING RETURNING person_id)
  SELECT (SELECT count(*) FROM ins)::int AS inserted, k.kek_id, k.wrapped_key, k.created_at, k.rotated_at, k.shredded_at
  FROM (SELECT 1) AS one LEFT JOIN person_data_key k ON k.person_id = $1`;

interface KeyRow {
  kek_id: string | null;
  wrapped_key: Buffer | null;
  created_at: Date;
  rotated_at: Date | null;
  shredded_at: Date | null;
}

/**
 * Field-level envelope encryption of one service's personal data: a random AES-256 data
 * key per person (table `person_data_key`), wrapped by the node KEK, and crypto-shredding.
 *
 * Every method takes an optional `EntityManager`; pass the one of your transaction so the
 * data key is created / destroyed atomically with your own rows.
 *
 * Caching: unwrapped keys are cached only when read outside a transaction (then known to be
 * committed); `shred()` evicts at once in this process, other processes notice within the
 * cache TTL (default 30 s).
 */
export class PersonVault {
  private readonly cache: DataKeyCache;

  constructor(
    private readonly dataSource: DataSource,
    private readonly keyring: KeyEncryptionKeyring,
    options: PersonVaultOptions = {},
  ) {
    this.cache = new DataKeyCache(options.cache === false ? { maxEntries: 0 } : options.cache);
  }

  /**
   * Encrypts the string values of `values` under the person's data key, creating the key on
   * first use. null stays null; undefined keys are left out. Throws PersonErasedError if the
   * person was erased.
   */
  async encryptFields<T extends FieldValues<T>>(personId: string, values: T, manager?: EntityManager): Promise<EncryptedFields<T>> {
    const pid = canonicalPersonId(personId);
    const entries = PersonVault.entriesOf(values);
    const key = await this.resolveKey(pid, manager, true);
    if (key.state === 'erased') throw new PersonErasedError(pid, key.erasedAt);
    if (key.state === 'none') throw new DataKeyNotFoundError(pid);
    return PersonVault.encryptEntries(key.key, pid, entries) as EncryptedFields<T>;
  }

  /**
   * Encrypts the fields of a person this service has just created (a new random id), with a new
   * data key whose insert is returned as a part of the composed statement that inserts the
   * person (CTE name `data_key_insert`; a key already there fails the statement). Call
   * `committed()` once that statement has committed, so the key is cached.
   */
  newPerson<T extends FieldValues<T>>(personId: string, values: T): { fields: EncryptedFields<T>; part: StatementPart; committed: () => void } {
    const pid = canonicalPersonId(personId);
    const key = DataKey.generate();
    const { kekId, wrappedKey } = this.keyring.wrap(pid, key);
    return {
      fields: PersonVault.encryptEntries(key, pid, PersonVault.entriesOf(values)) as EncryptedFields<T>,
      part: { ctes: [['data_key_insert', 'INSERT INTO person_data_key (person_id, kek_id, wrapped_key) VALUES ($1::uuid, $2::text, $3::bytea)']], params: [pid, kekId, wrappedKey] },
      committed: () => this.cache.set(pid, key),
    };
  }

  /**
   * `newPerson` for many new persons at once (a bulk registration): a data key each, their fields
   * encrypted, and one INSERT for every key (`insert`, to run in the transaction that inserts the
   * persons; a key already there fails it). Call `committed()` once that transaction committed.
   */
  newPeople<T extends FieldValues<T>>(people: readonly { personId: string; values: T }[]): {
    fields: EncryptedFields<T>[];
    insert: (db: EntityManager) => Promise<void>;
    committed: () => void;
  } {
    const made = people.map(({ personId, values }) => {
      const pid = canonicalPersonId(personId);
      const key = DataKey.generate();
      return { pid, key, wrapped: this.keyring.wrap(pid, key), fields: PersonVault.encryptEntries(key, pid, PersonVault.entriesOf(values)) as EncryptedFields<T> };
    });
    return {
      fields: made.map((m) => m.fields),
      insert: async (db) => {
        if (made.length === 0) return;
        await db.query(`INSERT INTO person_data_key (person_id, kek_id, wrapped_key) SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[])`, [
          made.map((m) => m.pid),
          made.map((m) => m.wrapped.kekId),
          made.map((m) => m.wrapped.wrappedKey),
        ]);
      },
      committed: () => made.forEach((m) => this.cache.set(m.pid, m.key)),
    };
  }

  /**
   * `encryptFields` for many rows under one owner's data key (resolved once): e.g. the rows of
   * one posted manifest waiting under that post's key.
   */
  async encryptRows<T extends FieldValues<T>>(personId: string, rows: readonly T[], manager?: EntityManager): Promise<EncryptedFields<T>[]> {
    const pid = canonicalPersonId(personId);
    const entries = rows.map((r) => PersonVault.entriesOf(r));
    const key = await this.resolveKey(pid, manager, true);
    if (key.state === 'erased') throw new PersonErasedError(pid, key.erasedAt);
    if (key.state === 'none') throw new DataKeyNotFoundError(pid);
    return entries.map((e) => PersonVault.encryptEntries(key.key, pid, e) as EncryptedFields<T>);
  }

  /** `decryptFieldsOrThrow` for many rows of one owner (its data key read once). */
  async decryptRowsOrThrow<T extends FieldValues<T>>(personId: string, rows: readonly T[], manager?: EntityManager): Promise<TransformedFields<T>[]> {
    const pid = canonicalPersonId(personId);
    const entries = rows.map((r) => PersonVault.entriesOf(r));
    const key = await this.resolveKey(pid, manager, false);
    if (key.state === 'erased') throw new PersonErasedError(pid, key.erasedAt);
    return entries.map((row) => {
      const out: Record<string, string | null | undefined> = {};
      for (const [field, value] of row) {
        if (value === null || value === undefined) out[field] = value;
        else if (key.state === 'none') throw new DataKeyNotFoundError(pid);
        else out[field] = FieldCipher.decrypt(key.key, { personId: pid, field }, value);
      }
      return out as TransformedFields<T>;
    });
  }

  /**
   * Decrypts a row's ciphertexts (`{ field: 'pv1.…' | null }`). Returns ErasedPersonalData
   * when the person was shredded, whatever copy of the ciphertexts is passed. Throws
   * CiphertextIntegrityError if a value was altered or belongs to another person/field.
   */
  async decryptFields<T extends FieldValues<T>>(
    personId: string,
    row: T,
    manager?: EntityManager,
  ): Promise<DecryptedPersonalData<T> | ErasedPersonalData> {
    const pid = canonicalPersonId(personId);
    const entries = PersonVault.entriesOf(row);
    const key = await this.resolveKey(pid, manager, false);
    if (key.state === 'erased') return new ErasedPersonalData(pid, key.erasedAt);
    const out: Record<string, string | null | undefined> = {};
    for (const [field, value] of entries) {
      if (value === null || value === undefined) {
        out[field] = value;
        continue;
      }
      if (key.state === 'none') throw new DataKeyNotFoundError(pid);
      out[field] = FieldCipher.decrypt(key.key, { personId: pid, field }, value);
    }
    return { erased: false, personId: pid, fields: out as TransformedFields<T> };
  }

  /** `decryptFields` that throws PersonErasedError (→ 410) instead of returning ErasedPersonalData. */
  async decryptFieldsOrThrow<T extends FieldValues<T>>(personId: string, row: T, manager?: EntityManager): Promise<TransformedFields<T>> {
    const result = await this.decryptFields(personId, row, manager);
    if (result.erased) throw result.toError();
    return result.fields;
  }

  /**
   * Crypto-shreds the person: deletes the wrapped data key (the row stays as a tombstone)
   * and evicts it from the cache. In `manager`'s transaction when given; if that transaction
   * rolls back, the key survives. A person without a key gets a tombstone too, so no key can
   * be created for them afterwards. Throws AlreadyErasedError (→ 409) the second time.
   */
  async shred(personId: string, manager?: EntityManager): Promise<ShredReceipt> {
    const pid = canonicalPersonId(personId);
    const db = manager ?? this.dataSource.manager;
    this.cache.evict(pid);
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        // (Wrapped in a CTE: TypeORM returns [rows, count] for a bare UPDATE … RETURNING.)
        const updated: { shredded_at: Date }[] = await db.query(
          `WITH shredded AS (
             UPDATE person_data_key SET wrapped_key = NULL, kek_id = NULL, shredded_at = now()
             WHERE person_id = $1 AND shredded_at IS NULL RETURNING shredded_at)
           SELECT shredded_at FROM shredded`,
          [pid],
        );
        if (updated.length > 0) return { personId: pid, erasedAt: updated[0].shredded_at, hadDataKey: true };
        const inserted: { shredded_at: Date }[] = await db.query(
          `INSERT INTO person_data_key (person_id, kek_id, wrapped_key, shredded_at) VALUES ($1, NULL, NULL, now())
           ON CONFLICT (person_id) DO NOTHING RETURNING shredded_at`,
          [pid],
        );
        if (inserted.length > 0) return { personId: pid, erasedAt: inserted[0].shredded_at, hadDataKey: false };
        const existing: { shredded_at: Date | null }[] = await db.query(
          `SELECT shredded_at FROM person_data_key WHERE person_id = $1`,
          [pid],
        );
        const erasedAt = existing[0]?.shredded_at;
        if (erasedAt) throw new AlreadyErasedError(pid, erasedAt);
        // A key was created concurrently between our statements: shred it on the next pass.
      }
      throw new Error('Could not shred the data key: it kept changing concurrently.');
    } finally {
      this.cache.evict(pid);
    }
  }

  /**
   * Shreds the person unless that is already done (then null): for erasures learned from events,
   * which come once per case the person is on.
   */
  async shredOnce(personId: string, manager?: EntityManager): Promise<ShredReceipt | null> {
    try {
      return await this.shred(personId, manager);
    } catch (error) {
      if (error instanceof AlreadyErasedError) return null;
      throw error;
    }
  }

  /** The person's key state (none / active under which KEK / erased since when). */
  async status(personId: string, manager?: EntityManager): Promise<DataKeyStatus> {
    const pid = canonicalPersonId(personId);
    const row = await this.readRow(pid, manager ?? this.dataSource.manager);
    if (!row) return { state: 'none' };
    if (row.shredded_at) return { state: 'erased', erasedAt: row.shredded_at };
    return { state: 'active', kekId: row.kek_id as string, createdAt: row.created_at, rotatedAt: row.rotated_at };
  }

  /** Drops every cached key of this vault (e.g. after a KEK was retired). */
  clearCache(): void {
    this.cache.clear();
  }

  private static encryptEntries(key: DataKey, pid: string, entries: [string, string | null | undefined][]): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const [field, value] of entries) {
      if (value === undefined) continue;
      out[field] = value === null ? null : FieldCipher.encrypt(key, { personId: pid, field }, value);
    }
    return out;
  }

  private static entriesOf(values: object): [string, string | null | undefined][] {
    if (values === null || typeof values !== 'object' || Array.isArray(values)) {
      throw new PrivacyInputError('Fields must be given as a plain object.');
    }
    const entries = Object.entries(values) as [string, unknown][];
    for (const [field, value] of entries) {
      checkFieldName(field);
      if (value !== null && value !== undefined && typeof value !== 'string') {
        throw new PrivacyInputError(`Field "${field}" must be a string, null or undefined.`);
      }
    }
    return entries as [string, string | null | undefined][];
  }

  private async readRow(pid: string, db: EntityManager): Promise<KeyRow | undefined> {
    const rows: KeyRow[] = await db.query(
      `SELECT kek_id, wrapped_key, created_at, rotated_at, shredded_at FROM person_data_key WHERE person_id = $1`,
      [pid],
    );
    return rows[0];
  }

  private async resolveKey(pid: string, manager: EntityManager | undefined, create: boolean): Promise<KeyState> {
    const cached = this.cache.get(pid);
    if (cached) return { state: 'active', key: cached };
    const db = manager ?? this.dataSource.manager;
    // Rows read inside a caller's transaction may still roll back: use them, never cache them.
    const cacheable = manager?.queryRunner?.isTransactionActive !== true;
    for (let attempt = 0; attempt < 2; attempt++) {
      let row: KeyRow | undefined;
      if (create) {
        // One round trip: create a key, or read the one that exists (a new person needs no read first).
        const key = DataKey.generate();
        const { kekId, wrappedKey } = this.keyring.wrap(pid, key);
        const [result]: (KeyRow & { inserted: number })[] = await db.query(CREATE_OR_READ_KEY, [pid, kekId, wrappedKey]);
        if (result.inserted > 0) {
          if (cacheable) this.cache.set(pid, key);
          return { state: 'active', key };
        }
        // Not visible here: another request created (or shredded) the key first and committed after
        // this statement began; read theirs on the next pass.
        if (result.created_at === null) continue;
        row = result;
      } else {
        row = await this.readRow(pid, db);
        if (!row) return { state: 'none' };
      }
      if (row.shredded_at) return { state: 'erased', erasedAt: row.shredded_at };
      const key = this.keyring.unwrap(pid, row.kek_id as string, row.wrapped_key as Buffer);
      if (cacheable) this.cache.set(pid, key);
      return { state: 'active', key };
    }
    throw new Error('Could not create the data key: it kept changing concurrently.');
  }
}
