import fc from 'fast-check';
import { needsRekey } from './rekey';

describe('who is keyed again after a new match-key version', () => {
  it('a person missing a current key, or holding a retired one; not one keyed exactly under the current keys', () => {
    expect(needsRekey(['gt-2026'], ['gt-2026', 'gt-2027'])).toBe(true);
    expect(needsRekey(['gt-2026', 'gt-2027'], ['gt-2027'])).toBe(true);
    expect(needsRekey([], ['gt-2027'])).toBe(true);
    expect(needsRekey(['gt-2027', 'gt-2026'], ['gt-2026', 'gt-2027'])).toBe(false);
  });

  it('property: keyed again exactly when the stored and current key sets differ', () => {
    const kids = fc.subarray(['a', 'b', 'c', 'd']);
    fc.assert(
      fc.property(kids, kids, (stored, current) => {
        expect(needsRekey(stored, current)).toBe(new Set(stored).size !== new Set(current).size || stored.some((k) => !current.includes(k)));
        expect(needsRekey(current, current)).toBe(false);
      }),
    );
  });
});
