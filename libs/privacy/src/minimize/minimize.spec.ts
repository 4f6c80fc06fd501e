import fc from 'fast-check';
import { allowedFields, minimize, type ConsentedFields } from './minimize';

const person = {
  personId: 'b4a4c1de-5a8e-4a43-9d63-0c5b1b1a0001',
  givenName: 'María José',
  familyName: 'Pérez Gómez',
  birthDate: '1990-05-01',
  nationality: 'GT',
  contact: { phone: '+502 5555 0000', email: 'mj@example.org', address: { city: 'Tecún Umán', street: 'Calle 1' } },
  documents: [
    { type: 'passport', number: 'P123', issuer: 'GT' },
    { type: 'dpi', number: 'D456', issuer: 'GT' },
  ],
  vulnerability: { flags: ['unaccompanied_child'], notes: 'sensitive' },
};

describe('minimize', () => {
  it('keeps exactly the fields in both the agreement and the consents', () => {
    const out = minimize(person, ['givenName', 'familyName', 'nationality', 'birthDate'], ['givenName', 'nationality', 'contact']);
    expect(out).toEqual({ givenName: 'María José', nationality: 'GT' });
  });

  it('never copies a parent wholesale when only a child is allowed (either side may be the narrower one)', () => {
    expect(minimize(person, ['contact'], ['contact.phone'])).toEqual({ contact: { phone: '+502 5555 0000' } });
    expect(minimize(person, ['contact.phone', 'contact.address.city'], ['contact'])).toEqual({
      contact: { phone: '+502 5555 0000', address: { city: 'Tecún Umán' } },
    });
    expect(minimize(person, ['contact'], ['contact'])).toEqual({ contact: person.contact });
    expect(minimize(person, ['contact.phone'], ['contact.email'])).toEqual({});
  });

  it('applies a path through arrays to every element', () => {
    expect(minimize(person, ['documents.type', 'documents.number'], ['documents'])).toEqual({
      documents: [
        { type: 'passport', number: 'P123' },
        { type: 'dpi', number: 'D456' },
      ],
    });
    expect(minimize(person, ['documents.expiry'], ['documents'])).toEqual({});
  });

  it('accepts consents as a list, a set or a map of granted flags', () => {
    const agreement = ['givenName', 'familyName', 'contact.phone'];
    const expected = { givenName: 'María José', contact: { phone: '+502 5555 0000' } };
    expect(minimize(person, agreement, ['givenName', 'contact.phone'])).toEqual(expected);
    expect(minimize(person, agreement, new Set(['givenName', 'contact.phone']))).toEqual(expected);
    expect(minimize(person, agreement, { givenName: true, familyName: false, 'contact.phone': true })).toEqual(expected);
    expect(allowedFields(agreement, { givenName: true, familyName: false, 'contact.phone': true })).toEqual(['contact.phone', 'givenName']);
  });

  it('leaves out absent and undefined values and creates no empty parents', () => {
    const rec = { givenName: undefined, contact: { email: 'x@example.org' }, note: null };
    expect(minimize(rec, ['givenName', 'contact.phone', 'note', 'missing.deep.path'], ['givenName', 'contact', 'note', 'missing'])).toEqual({ note: null });
  });

  it('is pure: the input is untouched and the output shares no objects with it', () => {
    const before = structuredClone(person);
    const out = minimize(person, ['contact', 'documents'], ['contact', 'documents']);
    expect(person).toEqual(before);
    expect(out.contact).toEqual(person.contact);
    expect(out.contact).not.toBe(person.contact);
    expect(out.contact?.address).not.toBe(person.contact.address);
    expect(out.documents?.[0]).not.toBe(person.documents[0]);
    (out.contact as { phone: string }).phone = 'changed';
    expect(person.contact.phone).toBe('+502 5555 0000');
  });

  it('is total: odd records and odd paths never throw', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    const hostile = Object.defineProperty({ a: 1 }, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    const protoPolluting = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}, "ok": 1}') as object;
    const cases: [unknown, unknown, unknown][] = [
      [null, ['a'], ['a']],
      ['string', ['a'], ['a']],
      [[1, 2], ['0'], ['0']],
      [cyclic, ['self', 'name'], ['self', 'name']],
      [hostile, ['boom', 'a'], ['boom', 'a']],
      [protoPolluting, ['__proto__', '__proto__.polluted', 'constructor.prototype', 'ok'], ['__proto__', 'constructor', 'ok']],
      [{ a: 1 }, null, undefined],
      [{ a: 1 }, ['', '.', 'a.', '.a', 42, 'a..b'], ['', '.', 'a.', '.a', 42, 'a..b']],
      [{ d: new Date(0), b: Buffer.from('hi'), f: () => 1, m: new Map([[1, 2]]) }, ['d', 'b', 'f', 'm'], new Set(['d', 'b', 'f', 'm'])],
    ];
    for (const [record, agreement, consent] of cases) {
      expect(() => minimize(record as object, agreement as string[], consent as ConsentedFields)).not.toThrow();
    }
    const cyc = minimize(cyclic, ['self'], ['self']) as { self: { self: unknown } };
    expect(cyc.self.self).toBe(cyc.self); // the cycle is copied, not followed forever
    expect(minimize(hostile, ['boom', 'a'], ['boom', 'a'])).toEqual({ a: 1 });
    const polluted = minimize(protoPolluting, ['__proto__', '__proto__.polluted', 'constructor.prototype', 'ok'], ['__proto__', 'constructor', 'ok']);
    expect(polluted).toEqual({ ok: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const copied = minimize({ d: new Date(0), b: Buffer.from('hi') }, ['d', 'b'], ['d', 'b']);
    expect(copied).toEqual({ d: new Date(0), b: Buffer.from('hi') });
  });

  describe('properties', () => {
    const KEYS = ['givenName', 'familyName', 'contact', 'phone', 'email', 'address', 'city', 'documents', 'number', 'notes'] as const;
    const key = fc.constantFrom(...KEYS);
    const path = fc.array(key, { minLength: 1, maxLength: 3 }).map((segments) => segments.join('.'));
    const fieldSet = fc.uniqueArray(path, { maxLength: 8 });
    const leaf = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(null), fc.boolean());

    const { record: recordWithArrays } = fc.letrec((tie) => ({
      record: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
      value: fc.oneof({ depthSize: 'small' }, leaf, tie('record'), fc.array(tie('record'), { maxLength: 3 })),
    }));
    const { record: recordWithoutArrays } = fc.letrec((tie) => ({
      record: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
      value: fc.oneof({ depthSize: 'small' }, leaf, tie('record')),
    }));

    const consentShape = (fields: string[]): fc.Arbitrary<ConsentedFields> =>
      fc.constantFrom<ConsentedFields>(
        fields,
        new Set(fields),
        Object.fromEntries([...fields.map((f) => [f, true]), ['notes.denied', false]]),
      );

    const covers = (a: string, p: string) => a === p || p.startsWith(`${a}.`);
    const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

    /** Leaf paths of a value; array elements share their array's path. */
    function leaves(v: unknown, prefix: string, out: [string, unknown][] = []): [string, unknown][] {
      if (Array.isArray(v) && v.length > 0) v.forEach((el) => leaves(el, prefix, out));
      else if (isRecord(v) && Object.keys(v).length > 0) for (const [k, x] of Object.entries(v)) leaves(x, prefix ? `${prefix}.${k}` : k, out);
      else if (prefix !== '') out.push([prefix, v]);
      return out;
    }

    it('never returns a field outside agreement ∩ consent', () => {
      fc.assert(
        fc.property(recordWithArrays, fieldSet, fieldSet.chain((c) => consentShape(c).map((shape) => [c, shape] as const)), (record, agreement, [consent, shape]) => {
          const out = minimize(record, agreement, shape);
          for (const [p] of leaves(out, '')) {
            expect(agreement.some((a) => covers(a, p))).toBe(true);
            expect(consent.some((c) => covers(c, p))).toBe(true);
          }
        }),
        { numRuns: 1_000 },
      );
    });

    it('keeps every field in agreement ∩ consent, with its value, and leaves the input unchanged', () => {
      fc.assert(
        fc.property(recordWithoutArrays, fieldSet, fieldSet, (record, agreement, consent) => {
          const before = structuredClone(record);
          const out = minimize(record, agreement, consent);
          const outLeaves = new Map(leaves(out, ''));
          for (const [p, value] of leaves(record, '')) {
            const allowed = agreement.some((a) => covers(a, p)) && consent.some((c) => covers(c, p));
            if (allowed) expect(outLeaves.get(p)).toEqual(value);
            else expect(outLeaves.has(p)).toBe(false);
          }
          expect(record).toEqual(before);
        }),
        { numRuns: 1_000 },
      );
    });

    it('is commutative in agreement and consent, and minimizing again changes nothing', () => {
      fc.assert(
        fc.property(recordWithArrays, fieldSet, fieldSet, (record, agreement, consent) => {
          const out = minimize(record, agreement, consent);
          expect(minimize(record, consent, agreement)).toEqual(out);
          expect(minimize(out, agreement, consent)).toEqual(out);
        }),
        { numRuns: 500 },
      );
    });
  });
});
