import { AgeBand, Sex, VulnerabilityFlag } from '@puente/contracts';
import { NonRetryableError } from '@puente/messaging';
import fc from 'fast-check';
import { attributesOf } from './case-registry.projector';

const PERSON = '6f1c2f5e-8a51-4c1b-9d55-0d3a3b1f2e77';

describe('attributesOf (PersonRegistered / PersonUpdated → person_record)', () => {
  it('spells known enum values the REST way', () => {
    expect(attributesOf({ personId: PERSON, ageBand: AgeBand.AGED_0_TO_4, sex: Sex.UNSPECIFIED, nationality: 'HN', vulnerabilityFlags: [] })).toEqual({
      personId: PERSON,
      ageBand: 'aged_0_to_4',
      sex: 'undisclosed',
      nationality: 'HN',
      flags: [],
    });
  });

  it('stores an age band or sex this build does not know as unknown / undisclosed instead of failing the event', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 1_000_000 }), fc.integer({ min: 1000, max: 1_000_000 }), (age, sex) => {
        const p = attributesOf({ personId: PERSON, ageBand: age as AgeBand, sex: sex as Sex, nationality: 'GT', vulnerabilityFlags: [age as VulnerabilityFlag] });
        expect(p.ageBand).toBe('unknown');
        expect(p.sex).toBe('undisclosed');
        expect(p.flags).toEqual([]);
      }),
    );
  });

  it('refuses a nationality that is not ISO 3166-1 alpha-2 as a poison event', () => {
    expect(() => attributesOf({ personId: PERSON, ageBand: AgeBand.UNSPECIFIED, sex: Sex.UNSPECIFIED, nationality: 'Honduras', vulnerabilityFlags: [] })).toThrow(NonRetryableError);
  });
});
