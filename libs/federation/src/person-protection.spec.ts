import fc from 'fast-check';
import { AGREEABLE_KINDS, EXCHANGE_KINDS } from './exchange-kinds';
import { decideCrossing, protectionBlocks } from './border-rules';
import { ASYLUM_FLAGS, protectionOf } from './person-protection';

const FLAGS = ['fear_of_return', 'asylum_claim', 'recognized_refugee', 'lgbtqi', 'pregnancy', 'trafficking_indicators'];
const kindsAboutPersons = AGREEABLE_KINDS.filter((k) => EXCHANGE_KINDS[k].consentPurpose !== null);

describe('an asylum claim or refugee status in the host node blocks the nationality\'s node', () => {
  it.each(ASYLUM_FLAGS)('%s: a Honduran is never sent to HN (any kind about a person), but is to MX', (flag) => {
    for (const kind of kindsAboutPersons) {
      const subject = { nationality: 'HN', ...protectionOf([flag]), consents: [{ purpose: EXCHANGE_KINDS[kind].consentPurpose as string }], sentTo: [], overrides: [] };
      expect(subject.asylumClaim).toBe(true);
      expect(decideCrossing(kind, subject, { node: 'HN', kinds: [kind] }, ['x'])).toEqual({ allowed: false, reason: 'protection-block' });
      expect(decideCrossing(kind, subject, { node: 'MX', kinds: [kind] }, ['x'])).toMatchObject({ allowed: true });
    }
  });

  it('property: the block toward the nationality applies exactly when a fear of return, an asylum claim or refugee status is recorded (no agreement flags)', () => {
    fc.assert(
      fc.property(fc.subarray(FLAGS), fc.constantFrom('HN', 'SV', 'MX'), (flags, node) => {
        const subject = { nationality: 'HN', ...protectionOf(flags), consents: [], sentTo: [], overrides: [] };
        const protectedHere = flags.includes('fear_of_return') || flags.includes('asylum_claim') || flags.includes('recognized_refugee');
        expect(protectionBlocks(subject, { node, kinds: [] })).toBe(protectedHere && node === 'HN');
      }),
    );
  });
});
