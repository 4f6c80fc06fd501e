import fc from 'fast-check';
import { canonicalHash, canonicalJson } from './canonical-json';
import { idempotencyFingerprint } from './idempotency/idempotency.interceptor';

/** Rebuilds every object of a JSON value with its keys in a shuffled order. */
function shuffled(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => shuffled(v, seed + i));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  const order = keys
    .map((k, i) => ({ k, r: Math.sin(seed * 9301 + i * 49297) }))
    .sort((a, b) => a.r - b.r)
    .map((e) => e.k);
  // defineProperty, not assignment: a "__proto__" key (which JSON.parse makes an own member)
  // must stay a member, not become the copy's prototype.
  const out: Record<string, unknown> = {};
  for (const k of order) {
    Object.defineProperty(out, k, { value: shuffled((value as Record<string, unknown>)[k], seed + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

describe('canonical JSON and body hashing', () => {
  it('is independent of key order at every depth (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
        const other = shuffled(value, seed);
        expect(canonicalJson(other)).toBe(canonicalJson(value));
        expect(canonicalHash(other)).toBe(canonicalHash(value));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips: parsing the canonical text gives the same value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('distinguishes different values (property: changing one member changes the hash)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1 }),
        fc.string({ maxLength: 8 }),
        (object, extra) => {
          const key = Object.keys(object)[0];
          const changed = { ...object, [key]: { wrapped: object[key] } };
          expect(canonicalHash(changed)).not.toBe(canonicalHash(object));
          const marker = `${extra}#`;
          if (!(marker in object)) expect(canonicalHash({ ...object, [marker]: 1 })).not.toBe(canonicalHash(object));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('sorts keys, drops undefined members, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [3, 1, { d: true, c: null }], u: undefined })).toBe('{"a":[3,1,{"c":null,"d":true}],"b":1}');
    expect(canonicalHash([1, 2])).not.toBe(canonicalHash([2, 1]));
    expect(canonicalHash({ a: '1' })).not.toBe(canonicalHash({ a: 1 }));
    expect(canonicalJson([undefined])).toBe('[null]');
    expect(canonicalJson(new Date('2026-01-02T03:04:05.000Z'))).toBe('"2026-01-02T03:04:05.000Z"');
    expect(canonicalHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });

  it('keeps a "__proto__" member as data (found by the key-order property)', () => {
    const body = JSON.parse('{"":{"__proto__":0},"b":1}') as unknown;
    expect(canonicalJson(body)).toBe('{"":{"__proto__":0},"b":1}');
    expect(canonicalHash(body)).not.toBe(canonicalHash({ '': {}, b: 1 }));
    expect(canonicalJson(shuffled(body, 7))).toBe(canonicalJson(body));
  });

  it('fingerprints body, path parameters and query of a request', () => {
    const base = { body: { name: 'x', n: 1 }, params: { caseId: 'c1' }, query: {} };
    expect(idempotencyFingerprint(base)).toBe(idempotencyFingerprint({ ...base, body: { n: 1, name: 'x' } }));
    expect(idempotencyFingerprint(base)).not.toBe(idempotencyFingerprint({ ...base, params: { caseId: 'c2' } }));
    expect(idempotencyFingerprint(base)).not.toBe(idempotencyFingerprint({ ...base, query: { dryRun: 'true' } }));
    expect(idempotencyFingerprint({ body: undefined, params: {}, query: {} })).toBe(
      idempotencyFingerprint({ body: null, params: {}, query: {} }),
    );
  });
});
