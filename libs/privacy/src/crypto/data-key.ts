import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';

/** Length in bytes of data keys and key-encryption keys (AES-256). */
export const KEY_BYTES = 32;

/**
 * One person's 256-bit data key, unwrapped. The key material lives in a Node `KeyObject`
 * (outside the JS heap, never serialized): `JSON.stringify`, `console.log` and loggers
 * only ever see `[DataKey]`.
 */
export class DataKey {
  private constructor(readonly keyObject: KeyObject) {}

  /** A fresh random data key. */
  static generate(): DataKey {
    const bytes = randomBytes(KEY_BYTES);
    try {
      return new DataKey(createSecretKey(bytes));
    } finally {
      bytes.fill(0);
    }
  }

  /** Copies `bytes` (32) into a key object; the caller may wipe its buffer afterwards. */
  static fromBytes(bytes: Uint8Array): DataKey {
    if (bytes.length !== KEY_BYTES) throw new RangeError(`A data key has ${KEY_BYTES} bytes.`);
    return new DataKey(createSecretKey(Buffer.from(bytes)));
  }

  /** Exports the raw bytes (for wrapping only); wipe the returned buffer after use. */
  exportBytes(): Buffer {
    return this.keyObject.export();
  }

  toJSON(): string {
    return '[DataKey]';
  }

  toString(): string {
    return '[DataKey]';
  }

  [inspect.custom](): string {
    return '[DataKey]';
  }
}
