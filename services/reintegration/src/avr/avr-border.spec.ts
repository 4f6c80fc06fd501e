import fc from 'fast-check';
import { ASYLUM_FLAGS } from '@puente/federation';
import { decideAvrCrossing } from './avr-border';

const NODES = ['GT', 'MX', 'HN', 'SV', 'US', 'CR'];
const OTHER_FLAGS = ['survivor_of_violence', 'disability', 'indigenous', 'pregnancy', 'lgbtqi', 'medical_condition'];
const BLOCKING = [...ASYLUM_FLAGS, 'fear_of_return'];

describe('decideAvrCrossing (the border of an assisted return)', () => {
  const agreed = (node: string) => ({ node, kinds: ['avr' as const] });

  it('never lets a package toward the nationality node of a recognized refugee, an asylum claimant or a person with a fear of return', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NODES), fc.constantFrom(...BLOCKING), fc.subarray(OTHER_FLAGS), (node, blocking, others) => {
        expect(decideAvrCrossing({ nationality: node, flags: [...others, blocking] }, agreed(node))).toEqual({ allowed: false, reason: 'protection-block' });
      }),
    );
  });

  it('lets the same person go to another node, and anyone without those flags go home', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NODES), fc.constantFrom(...NODES), fc.subarray([...OTHER_FLAGS, ...BLOCKING]), (nationality, origin, flags) => {
        fc.pre(nationality !== origin);
        expect(decideAvrCrossing({ nationality, flags }, agreed(origin))).toMatchObject({ allowed: true });
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...NODES), fc.subarray(OTHER_FLAGS), (node, flags) => {
        expect(decideAvrCrossing({ nationality: node, flags }, agreed(node))).toMatchObject({ allowed: true });
      }),
    );
  });

  it('needs an agreement for kind avr with the origin node', () => {
    expect(decideAvrCrossing({ nationality: 'HN', flags: [] }, { node: 'HN', kinds: ['referral'] })).toEqual({ allowed: false, reason: 'no-agreement' });
  });
});
