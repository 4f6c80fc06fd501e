import fc from 'fast-check';
import { ProblemException } from '@puente/platform';
import { assertJurisdiction, assertParty, assertScopes, coversJurisdiction, isParty, partyRoles } from './policy';
import { resourceNotFound } from './problems';

const partnerId = fc.stringMatching(/^[A-Z]{2}-[A-Z]{2,5}(-0[1-3])?$/);

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof ProblemException ? error.getStatus() : -1;
  }
}

describe('assertParty', () => {
  it('accepts exactly the sender and receiver partners (property)', () => {
    fc.assert(
      fc.property(partnerId, partnerId, fc.option(partnerId, { nil: null }), (caller, sender, receiver) => {
        const parties = { sender, receiver };
        const expected = caller === sender || caller === receiver;
        const status = statusOf(() => assertParty({ partnerId: caller }, parties, { resource: 'referral' }));
        expect(status).toBe(expected ? undefined : 404);
        expect(isParty({ partnerId: caller }, parties)).toBe(expected);
      }),
    );
  });

  it('returns the roles the caller holds', () => {
    expect(assertParty({ partnerId: 'A' }, { sender: 'A', receiver: 'B' })).toEqual(['sender']);
    expect(assertParty({ partnerId: 'A' }, { sender: 'A', receiver: 'A' })).toEqual(['sender', 'receiver']);
    expect(partyRoles({ partnerId: 'C' }, { sender: 'A', receiver: 'B' })).toEqual([]);
  });

  it('never matches missing parties (null, undefined, empty)', () => {
    expect(isParty({ partnerId: '' }, { sender: '', receiver: null, other: undefined })).toBe(false);
  });

  it('throws the very same problem as a missing id', () => {
    let denied: ProblemException | undefined;
    try {
      assertParty({ partnerId: 'C' }, { sender: 'A', receiver: 'B' }, { resource: 'referral' });
    } catch (error) {
      denied = error as ProblemException;
    }
    expect(denied?.toProblem()).toEqual(resourceNotFound('referral').toProblem());
    expect(denied?.headers).toEqual({});
  });
});

describe('jurisdictions', () => {
  const country = fc.stringMatching(/^[A-Z]{2}$/);
  const site = fc.tuple(country, fc.stringMatching(/^[A-Z0-9]{1,5}$/)).map(([c, s]) => `${c}-${s}`);

  it('a country covers its own sites and nothing in another country (property)', () => {
    fc.assert(
      fc.property(country, country, fc.stringMatching(/^[A-Z0-9]{1,5}$/), (granted, target, suffix) => {
        expect(coversJurisdiction([granted], `${target}-${suffix}`)).toBe(granted === target);
        expect(coversJurisdiction([granted], target)).toBe(granted === target);
      }),
    );
  });

  it('a site covers only itself (property)', () => {
    fc.assert(
      fc.property(site, site, (granted, target) => {
        expect(coversJurisdiction([granted], target)).toBe(granted === target);
        expect(coversJurisdiction([granted], granted.slice(0, 2))).toBe(false);
      }),
    );
  });

  it('a malformed target is covered by nothing', () => {
    expect(coversJurisdiction(['GT'], 'GT-')).toBe(false);
    expect(coversJurisdiction(['GT'], 'gt-mrc-01')).toBe(false);
    expect(coversJurisdiction(['GT'], 'GTX')).toBe(false);
  });

  it('assertJurisdiction: 403 out-of-jurisdiction by default, the 404 of a missing id with hideAs', () => {
    const principal = { jurisdictions: ['GT-MRC-01'] };
    expect(statusOf(() => assertJurisdiction(principal, 'GT-MRC-01'))).toBeUndefined();
    expect(statusOf(() => assertJurisdiction(principal, 'GT-MRC-02'))).toBe(403);
    try {
      assertJurisdiction(principal, 'GT-MRC-02', { hideAs: 'case' });
    } catch (error) {
      expect((error as ProblemException).toProblem()).toEqual(resourceNotFound('case').toProblem());
    }
    expect.assertions(3);
  });
});

describe('assertScopes', () => {
  it('403 insufficient-scope with the challenge header naming all required scopes', () => {
    try {
      assertScopes({ scopes: ['cases:read'] }, 'cases:read', 'persons:erase');
      throw new Error('expected a 403');
    } catch (error) {
      const problem = error as ProblemException;
      expect(problem.getStatus()).toBe(403);
      expect(problem.headers['WWW-Authenticate']).toContain('error="insufficient_scope"');
      expect(problem.headers['WWW-Authenticate']).toContain('scope="cases:read persons:erase"');
      expect(problem.toProblem()).toMatchObject({ missingScopes: ['persons:erase'] });
    }
    expect(() => assertScopes({ scopes: ['a:b'] }, 'a:b')).not.toThrow();
  });
});
