import { randomUUID } from 'node:crypto';
import { openTestDataSource } from '@puente/testing';
import type { DataSource } from 'typeorm';
import { FieldCipher } from '../crypto/field-cipher';
import { KeyEncryptionKeyring } from '../crypto/key-encryption-keyring';
import {
  AlreadyErasedError,
  CiphertextIntegrityError,
  DataKeyIntegrityError,
  DataKeyNotFoundError,
  PersonErasedError,
  PrivacyInputError,
} from '../errors';
import { privacyEntities, privacyMigrations } from '../schema';
import { PersonDataKey } from './person-data-key.entity';
import { ErasedPersonalData, isErased, PersonVault } from './person-vault';

const keyring = new KeyEncryptionKeyring([{ kid: 'node-gt-1', key: Buffer.from('0123456789abcdef0123456789abcdeg') }], 'node-gt-1');
const identity = { givenName: 'María José', familyName: 'Pérez Gómez', birthDate: '1990-05-01', phone: null };

let ds: DataSource;
let vault: PersonVault;

/** A table in which a "service" keeps encrypted identity columns next to the data keys. */
async function storePerson(personId: string, enc: Record<string, string | null>, db = ds.manager): Promise<void> {
  await db.query(`INSERT INTO person (id, given_name, family_name, birth_date) VALUES ($1, $2, $3, $4)`, [
    personId,
    enc.givenName,
    enc.familyName,
    enc.birthDate,
  ]);
}

async function loadPerson(personId: string): Promise<{ givenName: string | null; familyName: string | null; birthDate: string | null }> {
  const [row] = await ds.query(`SELECT given_name, family_name, birth_date FROM person WHERE id = $1`, [personId]);
  return { givenName: row.given_name, familyName: row.family_name, birthDate: row.birth_date };
}

async function keyRow(personId: string): Promise<PersonDataKey | null> {
  return ds.getRepository(PersonDataKey).findOneBy({ personId });
}

beforeAll(async () => {
  ds = await openTestDataSource({ name: 'privacy_vault', entities: privacyEntities, migrations: privacyMigrations });
  await ds.query(`CREATE TABLE person (id uuid PRIMARY KEY, given_name text, family_name text, birth_date text)`);
  vault = new PersonVault(ds, keyring);
});

afterAll(async () => {
  await ds?.destroy();
});

describe('PersonVault', () => {
  it('creates many new persons\' data keys in one insert, encrypting each under their own key, cached once committed', async () => {
    const people = Array.from({ length: 25 }, (_, i) => ({ personId: randomUUID(), values: { ...identity, givenName: `Persona ${i}` } }));
    const made = vault.newPeople(people);
    await ds.transaction(async (tx) => {
      await made.insert(tx);
      for (const [i, p] of people.entries()) await storePerson(p.personId, made.fields[i], tx);
    });
    made.committed();
    expect(made.fields[3].givenName).toMatch(/^pv1\./);
    expect(made.fields[3].givenName).not.toBe(made.fields[4].givenName);
    const fresh = new PersonVault(ds, keyring, { cache: false });
    const read = await fresh.decryptFieldsOrThrow(people[7].personId, await loadPerson(people[7].personId));
    expect(read.givenName).toBe('Persona 7');
    // A ciphertext under another person's key does not open under this one.
    await expect(fresh.decryptFields(people[8].personId, { givenName: made.fields[9].givenName })).rejects.toThrow(CiphertextIntegrityError);
    // A key that exists already fails the whole insert.
    await expect(ds.transaction((tx) => vault.newPeople([people[0], { personId: randomUUID(), values: identity }]).insert(tx))).rejects.toThrow();
  });

  it('encrypts and decrypts many rows under one owner\'s key, reading the key once', async () => {
    const owner = randomUUID();
    const rows = Array.from({ length: 40 }, (_, i) => ({ identity: `{"n":${i}}`, notes: i % 2 ? null : `note ${i}` }));
    const sealed = await ds.transaction((tx) => vault.encryptRows(owner, rows, tx));
    expect(sealed[1].notes).toBeNull();
    expect(sealed[2].notes).toMatch(/^pv1\./);
    const opened = await ds.transaction((tx) => vault.decryptRowsOrThrow(owner, sealed, tx));
    expect(opened).toEqual(rows);
    await vault.shred(owner);
    await expect(vault.decryptRowsOrThrow(owner, sealed)).rejects.toThrow(PersonErasedError);
    await expect(vault.encryptRows(owner, rows)).rejects.toThrow(PersonErasedError);
  });

  it('encrypts fields under a new per-person data key, stores the wrapped key, and decrypts', async () => {
    const personId = randomUUID();
    const enc = await vault.encryptFields(personId, identity);
    expect(enc.givenName).toMatch(/^pv1\./);
    expect(enc.phone).toBeNull();
    expect(JSON.stringify(enc)).not.toMatch(/Mar[ií]a|P[ée]rez|1990/);

    const row = await keyRow(personId);
    expect(row).toMatchObject({ kekId: 'node-gt-1', shreddedAt: null, rotatedAt: null });
    expect(row?.wrappedKey).toHaveLength(61);

    await storePerson(personId, enc);
    const fresh = new PersonVault(ds, keyring); // no cache: the key comes from the table
    const result = await fresh.decryptFields(personId, await loadPerson(personId));
    expect(result).toEqual({ erased: false, personId, fields: { givenName: 'María José', familyName: 'Pérez Gómez', birthDate: '1990-05-01' } });
    expect(await fresh.status(personId)).toMatchObject({ state: 'active', kekId: 'node-gt-1' });
  });

  it('encrypts a new person for a composed statement: the key lands with the rows or not at all, and is cached only once committed', async () => {
    // libs/privacy loads libs/platform lazily (see cli/rewrap.ts), so this spec does too.
    const { composeStatement } = await import('@puente/platform');
    const insertPerson = (personId: string, enc: Record<string, string | null>) => ({
      ctes: [['person_insert', 'INSERT INTO person (id, given_name, family_name, birth_date) VALUES ($1, $2, $3, $4) RETURNING id']] as const,
      params: [personId, enc.givenName, enc.familyName, enc.birthDate],
    });
    const personId = randomUUID();
    const prepared = vault.newPerson(personId, identity);
    expect(prepared.fields.givenName).toMatch(/^pv1\./);
    expect(prepared.fields.phone).toBeNull();
    const statement = composeStatement([prepared.part, insertPerson(personId, prepared.fields)], 'SELECT id FROM person_insert');
    await ds.query(statement.text, statement.values);
    prepared.committed();
    expect(await keyRow(personId)).toMatchObject({ kekId: 'node-gt-1', shreddedAt: null });
    const fresh = new PersonVault(ds, keyring);
    expect(await fresh.decryptFields(personId, await loadPerson(personId))).toMatchObject({ erased: false, fields: { givenName: 'María José' } });

    // A statement that fails (the person id is taken) writes no key either.
    const other = randomUUID();
    const failing = vault.newPerson(other, identity);
    const clash = composeStatement([failing.part, insertPerson(personId, failing.fields)], 'SELECT id FROM person_insert');
    await expect(ds.query(clash.text, clash.values)).rejects.toThrow(/duplicate key/);
    expect(await keyRow(other)).toBeNull();
    expect(await vault.status(other)).toEqual({ state: 'none' });
  });

  it('uses one data key per person (other persons cannot decrypt it, even with their own key)', async () => {
    const p1 = randomUUID();
    const p2 = randomUUID();
    const e1 = await vault.encryptFields(p1, { givenName: 'Ana' });
    await vault.encryptFields(p2, { givenName: 'Luis' });
    const k1 = await keyRow(p1);
    const k2 = await keyRow(p2);
    expect(k1?.wrappedKey?.equals(k2?.wrappedKey as Buffer)).toBe(false);
    await expect(vault.decryptFields(p2, { givenName: e1.givenName })).rejects.toThrow(CiphertextIntegrityError);
    await expect(vault.decryptFields(p1, { familyName: e1.givenName })).rejects.toThrow(CiphertextIntegrityError);
  });

  it('creates exactly one data key when many requests encrypt for a new person at once', async () => {
    const personId = randomUUID();
    const vaults = Array.from({ length: 8 }, () => new PersonVault(ds, keyring));
    const encrypted = await Promise.all(vaults.map((v, i) => v.encryptFields(personId, { givenName: `n${i}` })));
    const reader = new PersonVault(ds, keyring, { cache: false });
    for (const [i, e] of encrypted.entries()) {
      await expect(reader.decryptFieldsOrThrow(personId, e)).resolves.toEqual({ givenName: `n${i}` });
    }
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM person_data_key WHERE person_id = $1`, [personId]);
    expect(n).toBe(1);
  });

  it('creates the key in the caller transaction: on rollback neither the key nor the rows exist, and nothing stale is cached', async () => {
    const personId = randomUUID();
    await expect(
      ds.transaction(async (m) => {
        await storePerson(personId, await vault.encryptFields(personId, identity, m), m);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await keyRow(personId)).toBeNull();
    expect(await vault.status(personId)).toEqual({ state: 'none' });

    // A later write creates a new key; what it writes must stay readable after any cache expiry.
    const enc = await vault.encryptFields(personId, identity);
    await storePerson(personId, enc);
    const uncached = new PersonVault(ds, keyring, { cache: false });
    expect(await uncached.decryptFieldsOrThrow(personId, await loadPerson(personId))).toMatchObject({ givenName: 'María José' });
  });

  it('shred in a transaction that rolls back: the key survives and data stays readable', async () => {
    const personId = randomUUID();
    await storePerson(personId, await vault.encryptFields(personId, identity));
    await expect(
      ds.transaction(async (m) => {
        const receipt = await vault.shred(personId, m);
        expect(receipt).toMatchObject({ personId, hadDataKey: true });
        // Inside the transaction the person already reads as erased.
        expect(isErased(await vault.decryptFields(personId, await loadPerson(personId), m))).toBe(true);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await keyRow(personId)).toMatchObject({ kekId: 'node-gt-1', shreddedAt: null });
    expect(await vault.decryptFieldsOrThrow(personId, await loadPerson(personId))).toMatchObject({ familyName: 'Pérez Gómez' });
  });

  it('shred in a committed transaction: the key bytes are gone, a tombstone stays, every copy decrypts to Erased', async () => {
    const personId = randomUUID();
    const enc = await vault.encryptFields(personId, identity);
    await storePerson(personId, enc);
    const copyElsewhere = { ...enc }; // e.g. a backup or an export holding the same ciphertexts
    expect(await vault.decryptFieldsOrThrow(personId, copyElsewhere)).toMatchObject({ givenName: 'María José' }); // cached now

    const receipt = await ds.transaction((m) => vault.shred(personId, m));
    expect(receipt.hadDataKey).toBe(true);
    const row = await keyRow(personId);
    expect(row).toMatchObject({ personId, kekId: null, wrappedKey: null });
    expect(row?.shreddedAt).toBeInstanceOf(Date);

    // Same vault instance, right after the shred: the cached key was evicted.
    const fromTable = await vault.decryptFields(personId, await loadPerson(personId));
    expect(fromTable).toBeInstanceOf(ErasedPersonalData);
    expect(fromTable).toEqual(expect.objectContaining({ erased: true, personId, erasedAt: row?.shreddedAt }));
    expect(isErased(await vault.decryptFields(personId, copyElsewhere))).toBe(true);
    expect(isErased(await new PersonVault(ds, keyring).decryptFields(personId, copyElsewhere))).toBe(true);

    const thrown = await vault.decryptFieldsOrThrow(personId, copyElsewhere).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(PersonErasedError);
    expect(thrown).toMatchObject({ httpStatus: 410, problemType: 'personal-data-erased', personId });
    expect(JSON.stringify(thrown) + String(thrown)).not.toMatch(/Mar[ií]a|P[ée]rez/);

    // No new key is ever created for an erased person.
    await expect(vault.encryptFields(personId, { givenName: 'Ana' })).rejects.toThrow(PersonErasedError);
    expect(await vault.status(personId)).toEqual({ state: 'erased', erasedAt: row?.shreddedAt });
  });

  it('shred in the same vault instance evicts a freshly cached key at once (no DB round trip needed to notice)', async () => {
    const personId = randomUUID();
    const enc = await vault.encryptFields(personId, { givenName: 'Ana' }); // created outside a transaction: cached
    await vault.decryptFieldsOrThrow(personId, enc);
    await vault.shred(personId);
    await expect(vault.decryptFields(personId, enc)).resolves.toBeInstanceOf(ErasedPersonalData);
  });

  it('shredding twice is an AlreadyErasedError (→ 409), in or out of a transaction', async () => {
    const personId = randomUUID();
    await vault.encryptFields(personId, { givenName: 'Ana' });
    const first = await vault.shred(personId);
    const again = await vault.shred(personId).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AlreadyErasedError);
    expect(again).toMatchObject({ httpStatus: 409, problemType: 'already-erased', personId, erasedAt: first.erasedAt });
    await expect(ds.transaction((m) => vault.shred(personId, m))).rejects.toThrow(AlreadyErasedError);
  });

  it('shredOnce shreds the first time and is null after, in or out of a transaction', async () => {
    const personId = randomUUID();
    await vault.encryptFields(personId, { givenName: 'Ana' });
    const first = await ds.transaction((m) => vault.shredOnce(personId, m));
    expect(first).toMatchObject({ personId, hadDataKey: true });
    expect(await vault.shredOnce(personId)).toBeNull();
    expect(await ds.transaction((m) => vault.shredOnce(personId, m))).toBeNull();
    expect(await vault.status(personId)).toEqual({ state: 'erased', erasedAt: first?.erasedAt });
  });

  it('concurrent shreds of one person: exactly one wins, the others get AlreadyErasedError', async () => {
    const personId = randomUUID();
    await vault.encryptFields(personId, { givenName: 'Ana' });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => new PersonVault(ds, keyring).shred(personId)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(AlreadyErasedError);
    }
  });

  it('shredding a person without a key writes a tombstone, so "erased" differs from "never existed"', async () => {
    const never = randomUUID();
    expect(await vault.status(never)).toEqual({ state: 'none' });
    expect(await vault.decryptFields(never, { givenName: null })).toEqual({ erased: false, personId: never, fields: { givenName: null } });
    await expect(vault.decryptFields(never, { givenName: 'pv1.AAAA' })).rejects.toThrow(DataKeyNotFoundError);

    const receipt = await vault.shred(never);
    expect(receipt.hadDataKey).toBe(false);
    expect(await vault.status(never)).toMatchObject({ state: 'erased' });
    await expect(vault.encryptFields(never, { givenName: 'Ana' })).rejects.toThrow(PersonErasedError);
  });

  it('another vault instance (another process) notices a shred once its cache TTL has passed', async () => {
    let now = 0;
    const other = new PersonVault(ds, keyring, { cache: { ttlMs: 1_000, now: () => now } });
    const personId = randomUUID();
    const enc = await other.encryptFields(personId, { givenName: 'Ana' });
    await vault.shred(personId);
    now = 999;
    expect(await other.decryptFieldsOrThrow(personId, enc)).toEqual({ givenName: 'Ana' }); // bounded staleness
    now = 1_000;
    expect(isErased(await other.decryptFields(personId, enc))).toBe(true);
  });

  it('detects a tampered wrapped key in the table and a wrapped key moved to another person', async () => {
    const p1 = randomUUID();
    const p2 = randomUUID();
    const e1 = await vault.encryptFields(p1, { givenName: 'Ana' });
    await vault.encryptFields(p2, { givenName: 'Luis' });
    const reader = new PersonVault(ds, keyring, { cache: false });

    await ds.query(`UPDATE person_data_key SET wrapped_key = set_byte(wrapped_key, 20, get_byte(wrapped_key, 20) # 1) WHERE person_id = $1`, [p1]);
    await expect(reader.decryptFields(p1, e1)).rejects.toThrow(DataKeyIntegrityError);
    await ds.query(`UPDATE person_data_key SET wrapped_key = (SELECT wrapped_key FROM person_data_key WHERE person_id = $2) WHERE person_id = $1`, [
      p1,
      p2,
    ]);
    await expect(reader.decryptFields(p1, e1)).rejects.toThrow(DataKeyIntegrityError);
  });

  it('keeps undefined fields out, null fields null, and rejects bad input without echoing it', async () => {
    const personId = randomUUID();
    const enc = await vault.encryptFields(personId, { givenName: 'Ana', familyName: undefined, phone: null });
    expect(Object.keys(enc).sort()).toEqual(['givenName', 'phone']);
    await expect(vault.encryptFields(personId, { age: 7 as unknown as string })).rejects.toThrow(PrivacyInputError);
    await expect(vault.encryptFields('not-a-uuid', { givenName: 'Ana' })).rejects.toThrow(/personId must be a UUID/);
    await expect(vault.encryptFields(personId, { 'bad name': 'Ana' })).rejects.toThrow(PrivacyInputError);
    await expect(vault.decryptFields(personId, { givenName: 'Ana Pérez' })).rejects.toThrow(
      expect.objectContaining({ name: 'CiphertextIntegrityError', message: expect.not.stringContaining('Ana') }),
    );
    expect(FieldCipher.isCiphertext(enc.givenName)).toBe(true);
  });

  it('refuses rows that break the active-or-tombstone invariant (database CHECK)', async () => {
    await expect(ds.query(`INSERT INTO person_data_key (person_id, kek_id, wrapped_key) VALUES ($1, NULL, NULL)`, [randomUUID()])).rejects.toThrow(
      /person_data_key_active_or_shredded/,
    );
    await expect(
      ds.query(`INSERT INTO person_data_key (person_id, kek_id, wrapped_key, shredded_at) VALUES ($1, 'k', '\\x01', now())`, [randomUUID()]),
    ).rejects.toThrow(/person_data_key_active_or_shredded/);
  });

  it('has a reversible migration', async () => {
    const other = await openTestDataSource({ name: 'privacy_vault_migration', entities: privacyEntities, migrations: privacyMigrations });
    try {
      await other.undoLastMigration();
      const [{ present }] = await other.query(`SELECT to_regclass('person_data_key') IS NOT NULL AS present`);
      expect(present).toBe(false);
      await other.runMigrations();
      const [{ again }] = await other.query(`SELECT to_regclass('person_data_key') IS NOT NULL AS again`);
      expect(again).toBe(true);
    } finally {
      await other.destroy();
    }
  });
});
