import fc from 'fast-check';
import { isStorableText, unstorableTextPaths } from './input-encoding';

describe('storable text', () => {
  it('is exactly the text that survives UTF-8 unchanged and holds no NUL', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const roundTrips = Buffer.from(text, 'utf8').toString('utf8') === text;
        expect(isStorableText(text)).toBe(roundTrips && !text.includes('\u0000'));
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts real names and addresses, refuses NUL and lone surrogates', () => {
    for (const ok of ['María José Pérez Gómez', "K'iche' — Tomás Ajpop Tzul", '👩🏽‍⚕️', 'line\nbreak\ttab', '']) expect(isStorableText(ok)).toBe(true);
    for (const bad of ['a\u0000b', 'x\ud800', '\udc00y', 'a\ud800\ud800b']) expect(isStorableText(bad)).toBe(false);
  });
});

describe('unstorableTextPaths', () => {
  const storableJson = fc.jsonValue().filter((v) => unstorableTextPaths(v).length === 0);

  it('finds nothing in storable JSON', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
      const text = JSON.stringify(value);
      fc.pre(isStorableText(text));
      expect(unstorableTextPaths(value)).toEqual([]);
    }));
  });

  it('names the field of a NUL or a lone surrogate wherever it is, values and keys', () => {
    fc.assert(
      fc.property(storableJson, fc.constantFrom('a\u0000', '\ud800'), fc.constantFrom('value', 'key'), (value, bad, where) => {
        const body = where === 'value' ? { person: { names: ['ok', bad] }, other: value } : { person: { [`k${bad}`]: 1 }, other: value };
        expect(unstorableTextPaths(body)).toEqual([where === 'value' ? 'person.names[1]' : 'person.(key)']);
      }),
    );
  });

  it('walks a deeply nested body without overflowing the stack', () => {
    let deep: unknown = 'a\u0000';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(unstorableTextPaths(deep)).toHaveLength(1);
  });
});
