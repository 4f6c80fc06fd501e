import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { CiphertextIntegrityError, PrivacyInputError } from '../errors';
import { DataKey } from './data-key';
import { FieldCipher } from './field-cipher';

const key = DataKey.generate();
const personId = randomUUID();
const ctx = { personId, field: 'givenName' };

/** Flips one bit of the raw `iv ‖ ciphertext ‖ tag` bytes of a ciphertext. */
function flipBit(ciphertext: string, bit: number): string {
  const bytes = Buffer.from(FieldCipher.decode('x', ciphertext));
  bytes[bit >> 3] ^= 1 << (bit & 7);
  return FieldCipher.encode(bytes);
}

describe('FieldCipher', () => {
  it('round-trips any Unicode string (graphemes), including empty and long ones', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => {
        const ct = FieldCipher.encrypt(key, ctx, s);
        expect(FieldCipher.decrypt(key, ctx, ct)).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any sequence of code points, across the whole Unicode range', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        expect(FieldCipher.decrypt(key, ctx, FieldCipher.encrypt(key, ctx, s))).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips the empty string and a 1 MiB string', () => {
    expect(FieldCipher.decrypt(key, ctx, FieldCipher.encrypt(key, ctx, ''))).toBe('');
    const long = 'María José Pérez Gómez 🇬🇹 '.repeat(40_000);
    expect(FieldCipher.decrypt(key, ctx, FieldCipher.encrypt(key, ctx, long))).toBe(long);
  });

  it('writes pv1. + canonical base64url of iv(12) ‖ ciphertext ‖ tag(16), with a fresh IV each time', () => {
    const a = FieldCipher.encrypt(key, ctx, 'Ana');
    const b = FieldCipher.encrypt(key, ctx, 'Ana');
    expect(a).toMatch(/^pv1\.[A-Za-z0-9_-]+$/);
    expect(FieldCipher.decode('x', a)).toHaveLength(12 + 3 + 16);
    expect(a).not.toBe(b);
    expect(FieldCipher.decode('x', a).subarray(0, 12).equals(FieldCipher.decode('x', b).subarray(0, 12))).toBe(false);
    expect(FieldCipher.isCiphertext(a)).toBe(true);
    expect(FieldCipher.isCiphertext('Ana')).toBe(false);
  });

  it('detects any single-bit flip in the IV, the ciphertext or the tag', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.nat(), (s, n) => {
        const ct = FieldCipher.encrypt(key, ctx, s);
        const bits = FieldCipher.decode('x', ct).length * 8;
        const tampered = flipBit(ct, n % bits);
        expect(() => FieldCipher.decrypt(key, ctx, tampered)).toThrow(CiphertextIntegrityError);
      }),
      { numRuns: 500 },
    );
  });

  it('detects every single-bit flip of one ciphertext, exhaustively (IV, body and tag regions)', () => {
    const ct = FieldCipher.encrypt(key, ctx, 'Pérez');
    const bits = FieldCipher.decode('x', ct).length * 8;
    let detected = 0;
    for (let bit = 0; bit < bits; bit++) {
      try {
        FieldCipher.decrypt(key, ctx, flipBit(ct, bit));
      } catch (e) {
        if (e instanceof CiphertextIntegrityError && e.reason === 'authentication-failed') detected++;
      }
    }
    expect(detected).toBe(bits);
  });

  it('rejects any change to the text form (character replaced, dropped or appended), never returning other plaintext', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. ';
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...alphabet), fc.constantFrom('replace', 'drop', 'append'), (n, c, op) => {
        const ct = FieldCipher.encrypt(key, ctx, 'Gómez');
        const i = n % ct.length;
        const changed =
          op === 'replace' ? ct.slice(0, i) + c + ct.slice(i + 1) : op === 'drop' ? ct.slice(0, i) + ct.slice(i + 1) : ct + c;
        fc.pre(changed !== ct);
        expect(() => FieldCipher.decrypt(key, ctx, changed)).toThrow(CiphertextIntegrityError);
      }),
      { numRuns: 500 },
    );
  });

  it('reports malformed and unsupported-version values as integrity errors', () => {
    const reason = (v: string) => {
      try {
        FieldCipher.decrypt(key, ctx, v);
      } catch (e) {
        return e instanceof CiphertextIntegrityError ? e.reason : 'other';
      }
      return 'decrypted';
    };
    expect(reason('María')).toBe('malformed');
    expect(reason('pv1.')).toBe('malformed');
    expect(reason('pv1.AAAA')).toBe('malformed');
    expect(reason('pv1.@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@')).toBe('malformed');
    expect(reason(FieldCipher.encrypt(key, ctx, 'x').replace('pv1.', 'pv2.'))).toBe('unsupported-version');
  });

  it('binds the value to its person and field (AAD): other field, other person or other key fail', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.uuid(), (s, otherPerson) => {
        fc.pre(otherPerson !== personId);
        const ct = FieldCipher.encrypt(key, ctx, s);
        expect(() => FieldCipher.decrypt(key, { personId, field: 'familyName' }, ct)).toThrow(CiphertextIntegrityError);
        expect(() => FieldCipher.decrypt(key, { personId: otherPerson, field: 'givenName' }, ct)).toThrow(CiphertextIntegrityError);
        expect(() => FieldCipher.decrypt(DataKey.generate(), ctx, ct)).toThrow(CiphertextIntegrityError);
      }),
      { numRuns: 100 },
    );
  });

  it('treats person ids case-insensitively (PostgreSQL returns uuids lower-case)', () => {
    const upper = { personId: personId.toUpperCase(), field: 'givenName' };
    expect(FieldCipher.decrypt(key, ctx, FieldCipher.encrypt(key, upper, 'Ana'))).toBe('Ana');
  });

  it('refuses lone surrogates, non-strings, bad field names and non-UUID persons without echoing the value', () => {
    const secret = 'Zoë\uD800';
    expect(() => FieldCipher.encrypt(key, ctx, secret)).toThrow(PrivacyInputError);
    try {
      FieldCipher.encrypt(key, ctx, secret);
    } catch (e) {
      expect((e as Error).message).not.toContain('Zoë');
    }
    expect(() => FieldCipher.encrypt(key, ctx, 42 as unknown as string)).toThrow(PrivacyInputError);
    expect(() => FieldCipher.encrypt(key, { personId, field: 'given\x1fName' }, 'x')).toThrow(PrivacyInputError);
    expect(() => FieldCipher.encrypt(key, { personId: 'María', field: 'givenName' }, 'x')).toThrow(/personId must be a UUID/);
  });

  it('never shows key material in JSON, strings or inspection', () => {
    const raw = key.exportBytes();
    const shown = [JSON.stringify({ key }), String(key), inspect(key), inspect({ nested: { key } })].join(' ');
    expect(shown).toContain('[DataKey]');
    expect(shown).not.toContain(raw.toString('hex'));
    expect(shown).not.toContain(raw.toString('base64'));
  });
});
