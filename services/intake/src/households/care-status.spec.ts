import fc from 'fast-check';
import { RELATIONSHIPS, type RelationshipValue } from '../common/enums';
import { type CareMember, deriveCareStatuses } from './care-status';

const m = (personId: string, relationship: RelationshipValue, minor: boolean | undefined): CareMember => ({ personId, relationship, minor });
const statuses = (members: CareMember[]) => Object.fromEntries(deriveCareStatuses(members));

const nonPrincipal = fc.constantFrom(...RELATIONSHIPS.filter((r) => r !== 'principal'));
const household = fc
  .tuple(
    fc.option(fc.boolean(), { nil: undefined }),
    fc.array(fc.tuple(nonPrincipal, fc.option(fc.boolean(), { nil: undefined })), { maxLength: 8 }),
  )
  .map(([principalMinor, others]) => [m('p0', 'principal', principalMinor), ...others.map(([r, minor], i) => m(`p${i + 1}`, r, minor))]);

describe('unaccompanied and separated children', () => {
  it('a mother from Honduras with her two children: everyone accompanied or adult', () => {
    expect(statuses([m('mother', 'principal', false), m('son', 'child', true), m('daughter', 'child', true)])).toEqual({
      mother: 'not_a_child',
      son: 'accompanied',
      daughter: 'accompanied',
    });
  });

  it('a 16-year-old travelling alone is unaccompanied', () => {
    expect(statuses([m('teen', 'principal', true)])).toEqual({ teen: 'unaccompanied' });
  });

  it('two minor siblings without adults are both unaccompanied; with an adult cousin both separated', () => {
    expect(statuses([m('a', 'principal', true), m('b', 'sibling', true)])).toEqual({ a: 'unaccompanied', b: 'unaccompanied' });
    expect(statuses([m('a', 'principal', true), m('b', 'sibling', true), m('c', 'other', false)])).toEqual({
      a: 'separated',
      b: 'separated',
      c: 'not_a_child',
    });
  });

  it('a 15-year-old with an adult brother as principal is separated; with their mother present accompanied', () => {
    expect(statuses([m('brother', 'principal', false), m('kid', 'sibling', true)])).toEqual({ brother: 'not_a_child', kid: 'separated' });
    expect(statuses([m('brother', 'principal', false), m('kid', 'sibling', true), m('mum', 'parent', false)]).kid).toBe('accompanied');
  });

  it('a minor mother accompanies her baby but is herself unaccompanied', () => {
    expect(statuses([m('mum', 'principal', true), m('baby', 'child', true)])).toEqual({ mum: 'unaccompanied', baby: 'accompanied' });
  });

  it('an adult legal guardian accompanies every child; a minor "guardian" does not', () => {
    expect(statuses([m('a', 'principal', true), m('g', 'guardian', false), m('s', 'spouse', true)])).toMatchObject({ a: 'accompanied', s: 'accompanied' });
    expect(statuses([m('a', 'principal', true), m('g', 'guardian', true)])).toEqual({ a: 'unaccompanied', g: 'unaccompanied' });
  });

  it('does not treat unknown ages as children', () => {
    expect(statuses([m('a', 'principal', undefined), m('b', 'child', undefined)])).toEqual({ a: 'not_a_child', b: 'not_a_child' });
  });

  it('holds its invariants for any household (property)', () => {
    fc.assert(
      fc.property(household, (members) => {
        const result = deriveCareStatuses(members);
        expect(result.size).toBe(members.length);
        const hasAdult = members.some((x) => x.minor === false);
        for (const member of members) {
          const status = result.get(member.personId);
          if (member.minor !== true) expect(status).toBe('not_a_child');
          else expect(status).not.toBe('not_a_child');
          // without any adult, no child is "separated"; with an adult guardian, every child is accompanied
          if (!hasAdult) expect(status).not.toBe('separated');
          if (member.minor === true && members.some((x) => x.relationship === 'guardian' && x.minor === false)) expect(status).toBe('accompanied');
          if (member.minor === true && status === 'unaccompanied') expect(members.some((x) => x !== member && x.minor === false)).toBe(false);
        }
      }),
    );
  });

  it('does not depend on the order of the members (property)', () => {
    fc.assert(
      fc.property(household, fc.integer(), (members, seed) => {
        const shuffled = [...members].sort((a, b) => ((a.personId.charCodeAt(1) * 31 + seed) % 7) - ((b.personId.charCodeAt(1) * 31 + seed) % 7));
        expect(deriveCareStatuses(shuffled)).toEqual(deriveCareStatuses(members));
      }),
    );
  });

  it('never makes a child worse off by adding an adult (property)', () => {
    const rank = { not_a_child: 0, accompanied: 0, separated: 1, unaccompanied: 2 } as const;
    fc.assert(
      fc.property(household, nonPrincipal, (members, relationship) => {
        const before = deriveCareStatuses(members);
        const after = deriveCareStatuses([...members, m('adult', relationship, false)]);
        for (const member of members) expect(rank[after.get(member.personId)!]).toBeLessThanOrEqual(rank[before.get(member.personId)!]);
      }),
    );
  });
});
