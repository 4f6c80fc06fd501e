import fc from 'fast-check';
import { decideCrossing, type BorderSubject } from '@puente/federation';
import { liftedAt, MAX_OVERRIDE_HOURS, OVERRIDABLE_KINDS, overrideErrors, overrideInForce } from './protection-override-rules';

const t = (hours: number) => new Date(Date.UTC(2027, 0, 1) + hours * 3600_000);
const context = { ownNode: 'GT', peers: ['HN', 'MX', 'SV'], blockedToward: (node: string) => node === 'HN' };

describe('protection override rules', () => {
  it('only toward a peer node the block applies to, for 1 hour to 30 days', () => {
    expect(overrideErrors({ node: 'HN', kinds: ['match-keys'], validForHours: 24 }, context)).toEqual([]);
    expect(overrideErrors({ node: 'GT', kinds: ['match-keys'], validForHours: 24 }, context).map((e) => e.code)).toEqual(['unknownNode']);
    expect(overrideErrors({ node: 'BR', kinds: ['match-keys'], validForHours: 24 }, context).map((e) => e.code)).toEqual(['unknownNode']);
    expect(overrideErrors({ node: 'MX', kinds: ['match-keys'], validForHours: 24 }, context).map((e) => e.code)).toEqual(['notBlocked']);
    expect(overrideErrors({ node: 'HN', kinds: ['match-keys'], validForHours: MAX_OVERRIDE_HOURS + 1 }, context).map((e) => e.field)).toEqual(['validForHours']);
    expect(overrideErrors({ node: 'HN', kinds: ['match-keys'], validForHours: 0 }, context).map((e) => e.field)).toEqual(['validForHours']);
  });

  it('retractions, receipts and audit checkpoints are never overridable (they are never blocked)', () => {
    expect([...OVERRIDABLE_KINDS].sort()).toEqual(['custody-transfer', 'match-keys', 'referral']);
  });

  it('property: an override lifts the block exactly while in force, for its node and kinds only', () => {
    const person: BorderSubject = { nationality: 'HN', fearOfReturn: true, asylumClaim: false, protectionFlags: [], consents: [{ purpose: 'identity_matching' }], sentTo: [], overrides: [] };
    const agreement = (node: string) => ({ node, kinds: [...OVERRIDABLE_KINDS] });
    fc.assert(
      fc.property(
        fc.constantFrom('HN', 'MX'),
        fc.subarray([...OVERRIDABLE_KINDS], { minLength: 1 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: MAX_OVERRIDE_HOURS }),
        fc.integer({ min: -10, max: 1000 }),
        (node, kinds, grantedHour, hours, atHour) => {
          const o = { node, kinds, grantedAt: t(grantedHour), expiresAt: t(grantedHour + hours) };
          const at = t(atHour);
          const inForce = overrideInForce(o, at);
          expect(inForce).toBe(atHour >= grantedHour && atHour < grantedHour + hours);
          const decision = decideCrossing('match-keys', { ...person, overrides: liftedAt([o], at) }, agreement('HN'), ['matchKeys']);
          expect(decision.allowed).toBe(inForce && node === 'HN' && kinds.includes('match-keys'));
        },
      ),
      { numRuns: 300 },
    );
  });
});
