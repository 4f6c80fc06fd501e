import { DataKey } from '../crypto/data-key';
import { DataKeyCache } from './data-key-cache';

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('DataKeyCache', () => {
  const k1 = DataKey.generate();
  const k2 = DataKey.generate();
  const k3 = DataKey.generate();

  it('returns cached keys until their TTL runs out', () => {
    const c = clock();
    const cache = new DataKeyCache({ ttlMs: 100, now: c.now });
    cache.set('p1', k1);
    c.advance(99);
    expect(cache.get('p1')).toBe(k1);
    c.advance(1);
    expect(cache.get('p1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('is bounded: the least recently used key is dropped first', () => {
    const cache = new DataKeyCache({ maxEntries: 2 });
    cache.set('p1', k1);
    cache.set('p2', k2);
    expect(cache.get('p1')).toBe(k1); // p2 is now the least recently used
    cache.set('p3', k3);
    expect(cache.size).toBe(2);
    expect(cache.get('p2')).toBeUndefined();
    expect(cache.get('p1')).toBe(k1);
    expect(cache.get('p3')).toBe(k3);
  });

  it('evicts, and refuses to cache the same person again for one TTL (a shred may still be committing)', () => {
    const c = clock();
    const cache = new DataKeyCache({ ttlMs: 100, now: c.now });
    cache.set('p1', k1);
    cache.evict('p1');
    expect(cache.get('p1')).toBeUndefined();
    cache.set('p1', k1);
    expect(cache.get('p1')).toBeUndefined();
    cache.set('p2', k2);
    expect(cache.get('p2')).toBe(k2);
    c.advance(100);
    cache.set('p1', k1);
    expect(cache.get('p1')).toBe(k1);
  });

  it('caches nothing when disabled', () => {
    const cache = new DataKeyCache({ maxEntries: 0 });
    cache.set('p1', k1);
    expect(cache.get('p1')).toBeUndefined();
  });
});
