import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CiphertextIntegrityError, PrivacyInputError } from '../errors';
import { AAD_SEPARATOR, canonicalPersonId, checkFieldName } from './context';
import type { DataKey } from './data-key';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]*$/;
/** In `u` mode a valid surrogate pair is one code point, so this matches only lone halves. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Where a field value belongs; bound into the ciphertext as AES-GCM associated data. */
export interface FieldContext {
  personId: string;
  field: string;
}

function fieldAad(personId: string, field: string): Buffer {
  return Buffer.from(['puente/field/v1', personId, field].join(AAD_SEPARATOR), 'utf8');
}

/**
 * Field-level AES-256-GCM under a person's data key.
 *
 * Ciphertext format v1, a compact text value for a `text` column:
 * `pv1.` + base64url(iv(12) ‖ ciphertext ‖ tag(16)). The prefix names format and algorithm;
 * the IV is random per value; the associated data `puente/field/v1 ␟ personId ␟ field`
 * binds the value to its person and field, so it cannot be swapped between rows or columns.
 * Decoding is strict (canonical base64url only), so any change to the text is detected.
 */
export class FieldCipher {
  static readonly PREFIX = 'pv1.';

  /** True when `value` looks like a v1 field ciphertext (says nothing about its integrity). */
  static isCiphertext(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(FieldCipher.PREFIX);
  }

  static encrypt(key: DataKey, context: FieldContext, plaintext: string): string {
    const personId = canonicalPersonId(context.personId);
    const field = checkFieldName(context.field);
    if (typeof plaintext !== 'string') throw new PrivacyInputError(`Field "${field}" must be a string to be encrypted.`);
    if (LONE_SURROGATE.test(plaintext)) {
      throw new PrivacyInputError(`Field "${field}" contains a lone UTF-16 surrogate and cannot be encoded as UTF-8.`);
    }
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.keyObject, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(fieldAad(personId, field));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return FieldCipher.PREFIX + Buffer.concat([iv, ct, cipher.getAuthTag()]).toString('base64url');
  }

  /** Decrypts and authenticates; throws CiphertextIntegrityError on any alteration or context mismatch. */
  static decrypt(key: DataKey, context: FieldContext, ciphertext: string): string {
    const personId = canonicalPersonId(context.personId);
    const field = checkFieldName(context.field);
    const bytes = FieldCipher.decode(field, ciphertext);
    const iv = bytes.subarray(0, IV_BYTES);
    const ct = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.keyObject, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(fieldAad(personId, field));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    } catch {
      throw new CiphertextIntegrityError(field, 'authentication-failed');
    }
  }

  /** The raw `iv ‖ ciphertext ‖ tag` bytes of a v1 ciphertext (strictly decoded). */
  static decode(field: string, ciphertext: string): Buffer {
    if (typeof ciphertext !== 'string') throw new CiphertextIntegrityError(field, 'malformed');
    if (!ciphertext.startsWith(FieldCipher.PREFIX)) {
      throw new CiphertextIntegrityError(field, /^pv\d+\./.test(ciphertext) ? 'unsupported-version' : 'malformed');
    }
    const body = ciphertext.slice(FieldCipher.PREFIX.length);
    if (!B64URL.test(body)) throw new CiphertextIntegrityError(field, 'malformed');
    const bytes = Buffer.from(body, 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== body) {
      throw new CiphertextIntegrityError(field, 'malformed');
    }
    return bytes;
  }

  /** Builds a v1 ciphertext from raw `iv ‖ ciphertext ‖ tag` bytes (inverse of `decode`). */
  static encode(bytes: Uint8Array): string {
    return FieldCipher.PREFIX + Buffer.from(bytes).toString('base64url');
  }
}
