import fc from 'fast-check';
import { backoffDelay, DEFAULT_RETRY_POLICY } from './retry-policy';

describe('retry backoff', () => {
  const policy = fc.record({
    maxAttempts: fc.integer({ min: 1, max: 10 }),
    initialDelayMs: fc.integer({ min: 1, max: 1000 }),
    maxDelayMs: fc.integer({ min: 1000, max: 60000 }),
    multiplier: fc.double({ min: 1, max: 5, noNaN: true }),
  });

  it('never waits before the first attempt and never beyond maxDelayMs', () => {
    fc.assert(
      fc.property(policy, fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (p, attempt, r) => {
        const d = backoffDelay(p, attempt, () => r);
        if (attempt === 1) expect(d).toBe(0);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(p.maxDelayMs);
      }),
    );
  });

  it('grows with the attempt number (lower bound is half the exponential step)', () => {
    const lows = [2, 3, 4].map((a) => backoffDelay(DEFAULT_RETRY_POLICY, a, () => 0));
    expect(lows).toEqual([100, 300, 900]);
  });
});
