import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { DataKeyIntegrityError, KeyringConfigError, UnknownKeyEncryptionKeyError } from '../errors';
import { AAD_SEPARATOR, canonicalPersonId } from './context';
import { DataKey, KEY_BYTES } from './data-key';

/** Key id of the development-only KEK used when PUENTE_KEKS is not set (refused in production). */
export const DEV_KEK_ID = 'dev-only-0';

/**
 * The development-only KEK: SHA-256 of a public sentence, so it is the same on every clone
 * and protects nothing. `KeyEncryptionKeyring.fromEnv()` refuses it when NODE_ENV=production.
 */
function devKekBytes(): Buffer {
  return createHash('sha256').update('puente development-only key-encryption key; public, protects nothing').digest();
}

const KID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

/** Wrapped-key format version 1: AES-256-GCM, `0x01 ‖ iv(12) ‖ ciphertext(32) ‖ tag(16)`. */
const WRAP_VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const WRAPPED_KEY_BYTES = 1 + IV_BYTES + KEY_BYTES + TAG_BYTES;

export interface KeyEncryptionKeyMaterial {
  /** Key id, stored next to every data key it wraps (`[A-Za-z0-9][A-Za-z0-9._-]{0,63}`). */
  kid: string;
  /** 32 random bytes. */
  key: Uint8Array;
}

/** A data key as stored: the KEK id and the wrapped bytes. */
export interface WrappedDataKey {
  kekId: string;
  wrappedKey: Buffer;
}

function wrapAad(kid: string, personId: string): Buffer {
  return Buffer.from(['puente/dek/v1', kid, personId].join(AAD_SEPARATOR), 'utf8');
}

/**
 * The node's key-encryption keys (KEKs), by key id, and the one used for new wraps.
 * It wraps and unwraps data keys itself (like a local KMS) and never hands out KEK bytes.
 *
 * Data keys are wrapped with AES-256-GCM under the KEK with a random 96-bit IV, and the
 * associated data `puente/dek/v1 ␟ kid ␟ personId` binds each wrapped key to its person and
 * KEK: a wrapped key copied onto another person's row does not unwrap.
 */
export class KeyEncryptionKeyring {
  readonly activeKid: string;
  /** True for the built-in development keyring (PUENTE_KEKS unset outside production). */
  readonly isDevelopmentDefault: boolean;
  private readonly keys = new Map<string, KeyObject>();

  constructor(keys: Iterable<KeyEncryptionKeyMaterial>, activeKid: string, options: { developmentDefault?: boolean } = {}) {
    for (const { kid, key } of keys) {
      if (!KID.test(kid)) throw new KeyringConfigError('A KEK id must match /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.');
      if (this.keys.has(kid)) throw new KeyringConfigError(`KEK id "${kid}" appears more than once.`);
      if (key.length !== KEY_BYTES) throw new KeyringConfigError(`KEK "${kid}" must be exactly ${KEY_BYTES} bytes.`);
      if (key.every((b) => b === key[0])) throw new KeyringConfigError(`KEK "${kid}" is a constant byte string; use random bytes.`);
      this.keys.set(kid, createSecretKey(Buffer.from(key)));
    }
    if (!this.keys.has(activeKid)) {
      throw new KeyringConfigError(`The active KEK "${activeKid}" is not in the keyring (kids: ${[...this.keys.keys()].join(', ') || 'none'}).`);
    }
    this.activeKid = activeKid;
    this.isDevelopmentDefault = options.developmentDefault === true;
  }

  /**
   * Reads `PUENTE_KEKS` (`kid:base64,kid:base64`, each key 32 bytes) and `PUENTE_ACTIVE_KEK`
   * (optional when there is a single KEK). Without `PUENTE_KEKS` it returns the
   * development-only keyring (`dev-only-0`) when NODE_ENV is unset, `development` or `test`,
   * and throws otherwise (production); production also refuses the development key under any id.
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): KeyEncryptionKeyring {
    const nodeEnv = env.NODE_ENV || 'development';
    // Only development and test may fall back to the public key; anything else counts as production.
    const production = nodeEnv !== 'development' && nodeEnv !== 'test';
    const spec = env.PUENTE_KEKS?.trim();
    const active = env.PUENTE_ACTIVE_KEK?.trim() || undefined;
    if (!spec) {
      if (production) {
        throw new KeyringConfigError(
          `PUENTE_KEKS is required when NODE_ENV=${nodeEnv} (comma-separated kid:base64 list of 32-byte keys, plus PUENTE_ACTIVE_KEK).`,
        );
      }
      if (active !== undefined && active !== DEV_KEK_ID) {
        throw new KeyringConfigError('PUENTE_ACTIVE_KEK is set but PUENTE_KEKS is not.');
      }
      return KeyEncryptionKeyring.development();
    }
    const keyring = KeyEncryptionKeyring.parse(spec, active);
    if (production) {
      const dev = devKekBytes();
      for (const [kid, key] of keyring.keys) {
        if (kid === DEV_KEK_ID || timingSafeEqual(key.export(), dev)) {
          throw new KeyringConfigError(`The development-only KEK cannot be used when NODE_ENV=${nodeEnv}.`);
        }
      }
    }
    return keyring;
  }

  /** Parses `kid:base64,kid:base64`. `activeKid` may be omitted when there is exactly one key. */
  static parse(spec: string, activeKid?: string): KeyEncryptionKeyring {
    const entries = spec.split(',').map((e) => e.trim());
    const keys: KeyEncryptionKeyMaterial[] = [];
    entries.forEach((entry, i) => {
      const colon = entry.indexOf(':');
      const kid = colon > 0 ? entry.slice(0, colon) : '';
      const b64 = colon > 0 ? entry.slice(colon + 1) : '';
      if (!KID.test(kid) || !BASE64.test(b64)) {
        throw new KeyringConfigError(`PUENTE_KEKS entry #${i + 1} must look like kid:base64 (kid: letters, digits, . _ -).`);
      }
      const key = Buffer.from(b64, 'base64');
      if (key.length !== KEY_BYTES) {
        throw new KeyringConfigError(`PUENTE_KEKS key "${kid}" must decode to exactly ${KEY_BYTES} bytes.`);
      }
      keys.push({ kid, key });
    });
    if (activeKid === undefined) {
      if (keys.length !== 1) throw new KeyringConfigError('PUENTE_ACTIVE_KEK is required when PUENTE_KEKS holds several keys.');
      activeKid = keys[0].kid;
    }
    try {
      return new KeyEncryptionKeyring(keys, activeKid);
    } finally {
      for (const k of keys) k.key.fill(0);
    }
  }

  /** The development-only keyring: one public, well-known KEK (`dev-only-0`). */
  static development(): KeyEncryptionKeyring {
    return new KeyEncryptionKeyring([{ kid: DEV_KEK_ID, key: devKekBytes() }], DEV_KEK_ID, { developmentDefault: true });
  }

  /** The development-only KEK in the `PUENTE_KEKS` format (public by design; refused in production). */
  static developmentEntry(): string {
    return `${DEV_KEK_ID}:${devKekBytes().toString('base64')}`;
  }

  /** A fresh random KEK in the `PUENTE_KEKS` format, e.g. `generateEntry('2026-11')`. */
  static generateEntry(kid: string): string {
    if (!KID.test(kid)) throw new KeyringConfigError('A KEK id must match /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.');
    return `${kid}:${randomBytes(KEY_BYTES).toString('base64')}`;
  }

  get kids(): string[] {
    return [...this.keys.keys()];
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  /** Wraps `dataKey` for `personId` under the active KEK. */
  wrap(personId: string, dataKey: DataKey): WrappedDataKey {
    const pid = canonicalPersonId(personId);
    const kid = this.activeKid;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.kek(kid), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(wrapAad(kid, pid));
    const raw = dataKey.exportBytes();
    try {
      const ct = Buffer.concat([cipher.update(raw), cipher.final()]);
      return { kekId: kid, wrappedKey: Buffer.concat([Buffer.of(WRAP_VERSION), iv, ct, cipher.getAuthTag()]) };
    } finally {
      raw.fill(0);
    }
  }

  /** Unwraps a stored data key; throws DataKeyIntegrityError if it was altered or moved. */
  unwrap(personId: string, kekId: string, wrappedKey: Uint8Array): DataKey {
    const pid = canonicalPersonId(personId);
    const kek = this.kek(kekId);
    if (wrappedKey.length !== WRAPPED_KEY_BYTES) throw new DataKeyIntegrityError(pid, 'malformed');
    if (wrappedKey[0] !== WRAP_VERSION) throw new DataKeyIntegrityError(pid, 'unsupported-version');
    const buf = Buffer.from(wrappedKey.buffer, wrappedKey.byteOffset, wrappedKey.byteLength);
    const iv = buf.subarray(1, 1 + IV_BYTES);
    const ct = buf.subarray(1 + IV_BYTES, 1 + IV_BYTES + KEY_BYTES);
    const tag = buf.subarray(1 + IV_BYTES + KEY_BYTES);
    let raw: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(wrapAad(kekId, pid));
      decipher.setAuthTag(tag);
      raw = Buffer.concat([decipher.update(ct), decipher.final()]);
    } catch {
      throw new DataKeyIntegrityError(pid, 'authentication-failed');
    }
    try {
      return DataKey.fromBytes(raw);
    } finally {
      raw.fill(0);
    }
  }

  toJSON(): unknown {
    return { activeKid: this.activeKid, kids: this.kids };
  }

  [inspect.custom](): string {
    return `KeyEncryptionKeyring { activeKid: '${this.activeKid}', kids: [${this.kids.map((k) => `'${k}'`).join(', ')}] }`;
  }

  private kek(kid: string): KeyObject {
    const key = this.keys.get(kid);
    if (!key) throw new UnknownKeyEncryptionKeyError(kid);
    return key;
  }
}
