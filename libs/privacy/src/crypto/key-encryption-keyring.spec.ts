import { randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { DataKeyIntegrityError, KeyringConfigError, UnknownKeyEncryptionKeyError } from '../errors';
import { DataKey } from './data-key';
import { FieldCipher } from './field-cipher';
import { DEV_KEK_ID, KeyEncryptionKeyring, WRAPPED_KEY_BYTES } from './key-encryption-keyring';

const b64 = (b: Buffer) => b.toString('base64');
const kekA = randomBytes(32);
const kekB = randomBytes(32);
const keyring = new KeyEncryptionKeyring(
  [
    { kid: 'a', key: kekA },
    { kid: 'b', key: kekB },
  ],
  'a',
);

function sameKey(x: DataKey, y: DataKey): boolean {
  const ctx = { personId: randomUUID(), field: 'probe' };
  return FieldCipher.decrypt(y, ctx, FieldCipher.encrypt(x, ctx, 'probe')) === 'probe';
}

describe('KeyEncryptionKeyring', () => {
  it('wraps a data key under the active KEK and unwraps it back', () => {
    const personId = randomUUID();
    const dataKey = DataKey.generate();
    const wrapped = keyring.wrap(personId, dataKey);
    expect(wrapped.kekId).toBe('a');
    expect(wrapped.wrappedKey).toHaveLength(WRAPPED_KEY_BYTES);
    expect(wrapped.wrappedKey[0]).toBe(1);
    expect(sameKey(dataKey, keyring.unwrap(personId, 'a', wrapped.wrappedKey))).toBe(true);
    expect(keyring.wrap(personId, dataKey).wrappedKey.equals(wrapped.wrappedKey)).toBe(false);
  });

  it('detects every single-bit flip of a wrapped key (version, IV, key and tag), exhaustively', () => {
    const personId = randomUUID();
    const { wrappedKey } = keyring.wrap(personId, DataKey.generate());
    for (let bit = 0; bit < WRAPPED_KEY_BYTES * 8; bit++) {
      const tampered = Buffer.from(wrappedKey);
      tampered[bit >> 3] ^= 1 << (bit & 7);
      expect(() => keyring.unwrap(personId, 'a', tampered)).toThrow(DataKeyIntegrityError);
    }
  });

  it('binds a wrapped key to its person and KEK id: moved to another row, it does not unwrap', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (owner, other) => {
        fc.pre(owner.toLowerCase() !== other.toLowerCase());
        const { wrappedKey } = keyring.wrap(owner, DataKey.generate());
        expect(() => keyring.unwrap(other, 'a', wrappedKey)).toThrow(DataKeyIntegrityError);
        expect(() => keyring.unwrap(owner, 'b', wrappedKey)).toThrow(DataKeyIntegrityError);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects truncated or extended wrapped keys as malformed', () => {
    const personId = randomUUID();
    const { wrappedKey } = keyring.wrap(personId, DataKey.generate());
    for (const bad of [wrappedKey.subarray(0, 60), Buffer.concat([wrappedKey, Buffer.of(0)]), Buffer.alloc(0)]) {
      expect(() => keyring.unwrap(personId, 'a', bad)).toThrow(expect.objectContaining({ reason: 'malformed' }));
    }
  });

  it('throws UnknownKeyEncryptionKeyError for a KEK id it does not hold', () => {
    expect(() => keyring.unwrap(randomUUID(), 'retired', Buffer.alloc(WRAPPED_KEY_BYTES))).toThrow(UnknownKeyEncryptionKeyError);
  });

  it('never shows KEK material when inspected or serialized', () => {
    const shown = `${inspect(keyring)} ${JSON.stringify(keyring)} ${String(keyring)}`;
    for (const k of [kekA, kekB]) {
      expect(shown).not.toContain(k.toString('hex'));
      expect(shown).not.toContain(k.toString('base64'));
    }
    expect(shown).toContain("activeKid: 'a'");
  });

  describe('fromEnv', () => {
    it('reads PUENTE_KEKS and PUENTE_ACTIVE_KEK', () => {
      const k = KeyEncryptionKeyring.fromEnv({ PUENTE_KEKS: `k1:${b64(kekA)}, k2:${b64(kekB)}`, PUENTE_ACTIVE_KEK: 'k2' });
      expect(k.kids).toEqual(['k1', 'k2']);
      expect(k.activeKid).toBe('k2');
      expect(k.isDevelopmentDefault).toBe(false);
      const personId = randomUUID();
      const dataKey = DataKey.generate();
      const direct = new KeyEncryptionKeyring([{ kid: 'k2', key: kekB }], 'k2');
      expect(sameKey(dataKey, direct.unwrap(personId, 'k2', k.wrap(personId, dataKey).wrappedKey))).toBe(true);
    });

    it('uses the single KEK as active when PUENTE_ACTIVE_KEK is absent', () => {
      expect(KeyEncryptionKeyring.fromEnv({ PUENTE_KEKS: `only:${b64(kekA)}` }).activeKid).toBe('only');
    });

    it('falls back to the development-only KEK outside production, and refuses that in production', () => {
      for (const NODE_ENV of [undefined, 'development', 'test']) {
        const k = KeyEncryptionKeyring.fromEnv({ NODE_ENV });
        expect(k.activeKid).toBe(DEV_KEK_ID);
        expect(k.isDevelopmentDefault).toBe(true);
      }
      // The same development key on every clone: data written by one dev run stays readable.
      const personId = randomUUID();
      const dataKey = DataKey.generate();
      const wrapped = KeyEncryptionKeyring.fromEnv({}).wrap(personId, dataKey);
      expect(sameKey(dataKey, KeyEncryptionKeyring.development().unwrap(personId, DEV_KEK_ID, wrapped.wrappedKey))).toBe(true);

      expect(() => KeyEncryptionKeyring.fromEnv({ NODE_ENV: 'production' })).toThrow(KeyringConfigError);
      expect(() => KeyEncryptionKeyring.fromEnv({ NODE_ENV: 'production', PUENTE_KEKS: '  ' })).toThrow(/PUENTE_KEKS is required/);
      // Any environment that is not explicitly development or test counts as production.
      expect(() => KeyEncryptionKeyring.fromEnv({ NODE_ENV: 'staging' })).toThrow(/PUENTE_KEKS is required when NODE_ENV=staging/);
    });

    it('refuses the development key in production even under another kid', () => {
      const devKey = KeyEncryptionKeyring.developmentEntry().split(':')[1];
      const personId = randomUUID();
      const dataKey = DataKey.generate();
      const sameDevKey = KeyEncryptionKeyring.parse(`elsewhere:${devKey}`);
      const wrapped = KeyEncryptionKeyring.development().wrap(personId, dataKey).wrappedKey;
      expect(() => sameDevKey.unwrap(personId, 'elsewhere', wrapped)).toThrow(DataKeyIntegrityError); // kid is in the AAD
      expect(sameKey(dataKey, KeyEncryptionKeyring.parse(KeyEncryptionKeyring.developmentEntry()).unwrap(personId, DEV_KEK_ID, wrapped))).toBe(true);

      expect(() => KeyEncryptionKeyring.fromEnv({ NODE_ENV: 'production', PUENTE_KEKS: `prod-1:${devKey}` })).toThrow(/development-only KEK/);
      expect(() => KeyEncryptionKeyring.fromEnv({ NODE_ENV: 'production', PUENTE_KEKS: `${DEV_KEK_ID}:${b64(kekA)}` })).toThrow(
        /development-only KEK/,
      );
      expect(KeyEncryptionKeyring.fromEnv({ NODE_ENV: 'development', PUENTE_KEKS: `prod-1:${devKey}` }).activeKid).toBe('prod-1');
      expect(KeyEncryptionKeyring.fromEnv({ NODE_ENV: 'production', PUENTE_KEKS: `prod-1:${b64(kekA)}` }).activeKid).toBe('prod-1');
    });

    it.each([
      ['an entry without a colon', () => ({ PUENTE_KEKS: b64(kekA) }), /entry #1 must look like kid:base64/],
      ['a key of the wrong length', () => ({ PUENTE_KEKS: `k:${b64(randomBytes(16))}` }), /exactly 32 bytes/],
      ['invalid base64', () => ({ PUENTE_KEKS: `k:${b64(kekA).slice(0, 10)}!!` }), /kid:base64/],
      ['a duplicate kid', () => ({ PUENTE_KEKS: `k:${b64(kekA)},k:${b64(kekB)}`, PUENTE_ACTIVE_KEK: 'k' }), /more than once/],
      ['an active kid not in the list', () => ({ PUENTE_KEKS: `k:${b64(kekA)}`, PUENTE_ACTIVE_KEK: 'z' }), /not in the keyring/],
      ['several keys and no active kid', () => ({ PUENTE_KEKS: `k:${b64(kekA)},l:${b64(kekB)}` }), /PUENTE_ACTIVE_KEK is required/],
      ['a constant key', () => ({ PUENTE_KEKS: `k:${b64(Buffer.alloc(32))}` }), /constant byte string/],
      ['an active kid without keys', () => ({ PUENTE_ACTIVE_KEK: 'k' }), /PUENTE_KEKS is not/],
    ])('rejects %s with a message that shows no key material', (_what, env, message) => {
      const e = env() as NodeJS.ProcessEnv;
      expect(() => KeyEncryptionKeyring.fromEnv(e)).toThrow(message);
      try {
        KeyEncryptionKeyring.fromEnv(e);
      } catch (err) {
        expect(err).toBeInstanceOf(KeyringConfigError);
        for (const k of [kekA, kekB]) expect((err as Error).message).not.toContain(b64(k).slice(0, 12));
      }
    });
  });

  it('generates PUENTE_KEKS entries that parse back', () => {
    const entry = KeyEncryptionKeyring.generateEntry('2026-11');
    expect(entry).toMatch(/^2026-11:[A-Za-z0-9+/]{43}=$/);
    expect(KeyEncryptionKeyring.parse(entry).activeKid).toBe('2026-11');
  });
});
