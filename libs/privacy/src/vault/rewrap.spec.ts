import { randomBytes, randomUUID } from 'node:crypto';
import { eventually, openTestDataSource, someoneWaitsForALock } from '@puente/testing';
import type { DataSource } from 'typeorm';
import { KeyEncryptionKeyring } from '../crypto/key-encryption-keyring';
import { UnknownKeyEncryptionKeyError } from '../errors';
import { privacyEntities, privacyMigrations } from '../schema';
import { PersonDataKey } from './person-data-key.entity';
import { isErased, PersonVault } from './person-vault';
import { dataKeyInventory, rewrapAll } from './rewrap';

const kekA = { kid: 'kek-a', key: randomBytes(32) };
const kekB = { kid: 'kek-b', key: randomBytes(32) };
const kekC = { kid: 'kek-c', key: randomBytes(32) };

let ds: DataSource;

beforeEach(async () => {
  ds = await openTestDataSource({ name: 'privacy_rewrap', entities: privacyEntities, migrations: privacyMigrations });
});

afterEach(async () => {
  await ds?.destroy();
});

async function seed(keyring: KeyEncryptionKeyring, n: number): Promise<{ personId: string; enc: { givenName: string } }[]> {
  const vault = new PersonVault(ds, keyring, { cache: false });
  const out = [];
  for (let i = 0; i < n; i++) {
    const personId = randomUUID();
    out.push({ personId, enc: await vault.encryptFields(personId, { givenName: `Persona ${i} Núñez` }) });
  }
  return out;
}

describe('rewrapAll (key rotation) against PostgreSQL', () => {
  it('encrypt under KEK A, rotate to B, drop A from the keyring: everything still decrypts, erased stays erased', async () => {
    const onlyA = new KeyEncryptionKeyring([kekA], 'kek-a');
    const people = await seed(onlyA, 23);
    const erasedOne = people[5];
    await new PersonVault(ds, onlyA).shred(erasedOne.personId);
    const wrappedBefore = await ds.getRepository(PersonDataKey).findOneByOrFail({ personId: people[0].personId });

    const aAndB = new KeyEncryptionKeyring([kekA, kekB], 'kek-b');
    const batches: number[] = [];
    const report = await rewrapAll(ds, aAndB, { batchSize: 5, onBatch: (p) => batches.push(p.rewrapped) });
    expect(report).toEqual({ toKid: 'kek-b', rewrapped: 22, batches: 5 });
    expect(batches).toEqual([5, 10, 15, 20, 22]);
    expect(await dataKeyInventory(ds)).toEqual({ byKek: { 'kek-b': 22 }, erased: 1 });

    const after = await ds.getRepository(PersonDataKey).findOneByOrFail({ personId: people[0].personId });
    expect(after.kekId).toBe('kek-b');
    expect(after.rotatedAt).toBeInstanceOf(Date);
    expect(after.createdAt).toEqual(wrappedBefore.createdAt);
    expect(after.wrappedKey?.equals(wrappedBefore.wrappedKey as Buffer)).toBe(false);

    const onlyB = new PersonVault(ds, new KeyEncryptionKeyring([kekB], 'kek-b'));
    for (const p of people) {
      const result = await onlyB.decryptFields(p.personId, p.enc);
      if (p === erasedOne) expect(isErased(result)).toBe(true);
      else expect(result).toMatchObject({ erased: false, fields: { givenName: expect.stringMatching(/^Persona \d+ Núñez$/) } });
    }
    // And A alone can no longer open anything.
    const onlyAVault = new PersonVault(ds, onlyA, { cache: false });
    await expect(onlyAVault.decryptFields(people[0].personId, people[0].enc)).rejects.toThrow(UnknownKeyEncryptionKeyError);

    // Nothing left to do on a re-run.
    expect(await rewrapAll(ds, aAndB)).toEqual({ toKid: 'kek-b', rewrapped: 0, batches: 0 });
  });

  it('with fromKid re-wraps only the keys under that KEK', async () => {
    const underA = await seed(new KeyEncryptionKeyring([kekA], 'kek-a'), 3);
    await seed(new KeyEncryptionKeyring([kekB], 'kek-b'), 2);
    const all = new KeyEncryptionKeyring([kekA, kekB, kekC], 'kek-c');
    expect(await rewrapAll(ds, all, { fromKid: 'kek-a' })).toMatchObject({ rewrapped: 3 });
    expect(await dataKeyInventory(ds)).toEqual({ byKek: { 'kek-b': 2, 'kek-c': 3 }, erased: 0 });
    const vault = new PersonVault(ds, new KeyEncryptionKeyring([kekB, kekC], 'kek-c'));
    await expect(vault.decryptFieldsOrThrow(underA[0].personId, underA[0].enc)).resolves.toEqual({ givenName: 'Persona 0 Núñez' });
    expect(await rewrapAll(ds, all, { fromKid: 'kek-c' })).toMatchObject({ rewrapped: 0 });
  });

  it('stops with UnknownKeyEncryptionKeyError when a key is wrapped under a KEK missing from the keyring, keeping committed batches', async () => {
    await seed(new KeyEncryptionKeyring([kekA], 'kek-a'), 4);
    await seed(new KeyEncryptionKeyring([kekC], 'kek-c'), 4);
    const withoutC = new KeyEncryptionKeyring([kekA, kekB], 'kek-b');
    await expect(rewrapAll(ds, withoutC, { batchSize: 2 })).rejects.toThrow(UnknownKeyEncryptionKeyError);
    const inventory = await dataKeyInventory(ds);
    expect(inventory.byKek['kek-c']).toBe(4);
    expect((inventory.byKek['kek-a'] ?? 0) + (inventory.byKek['kek-b'] ?? 0)).toBe(4);
    await expect(rewrapAll(ds, withoutC, { fromKid: 'kek-c' })).rejects.toThrow(UnknownKeyEncryptionKeyError);

    const complete = new KeyEncryptionKeyring([kekA, kekB, kekC], 'kek-b');
    await rewrapAll(ds, complete);
    expect(await dataKeyInventory(ds)).toEqual({ byKek: { 'kek-b': 8 }, erased: 0 });
  });

  it('never resurrects a key shredded concurrently: a rotation waiting on the shred\'s row lock skips the tombstone', async () => {
    const onlyA = new KeyEncryptionKeyring([kekA], 'kek-a');
    const [erased, kept] = await seed(onlyA, 2);
    const aAndB = new KeyEncryptionKeyring([kekA, kekB], 'kek-b');
    const vault = new PersonVault(ds, aAndB);
    let rotation: Promise<unknown> | undefined;
    let rotationDone = false;
    await ds.transaction(async (m) => {
      await vault.shred(erased.personId, m); // row locked, shred not yet committed
      rotation = rewrapAll(ds, aAndB, { batchSize: 10 }).then((r) => {
        rotationDone = true;
        return r;
      });
      // barrier: the rotation is queued behind the shred's row lock (PostgreSQL says so)
      await eventually('the rotation to wait for the row lock', () => someoneWaitsForALock(ds), 10_000, 20);
      expect(rotationDone).toBe(false);
    });
    expect(await rotation).toEqual({ toKid: 'kek-b', rewrapped: 1, batches: 1 });
    expect(await dataKeyInventory(ds)).toEqual({ byKek: { 'kek-b': 1 }, erased: 1 });
    expect(isErased(await vault.decryptFields(erased.personId, erased.enc))).toBe(true);
    await expect(vault.decryptFieldsOrThrow(kept.personId, kept.enc)).resolves.toEqual({ givenName: 'Persona 1 Núñez' });
  });
});
