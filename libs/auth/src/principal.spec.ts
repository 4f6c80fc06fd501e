import fc from 'fast-check';
import { ClaimsError, getPrincipal, hasScopes, missingScopes, parseJurisdictions, parseScopes, principalFromClaims, setPrincipal } from './principal';

const scopeToken = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}:[a-z][a-z-]{0,10}$/);

describe('parseScopes', () => {
  it('splits a space-delimited scope string, dropping empty parts and duplicates, keeping order', () => {
    expect(parseScopes('cases:read  cases:write cases:read')).toEqual(['cases:read', 'cases:write']);
    expect(parseScopes('')).toEqual([]);
    expect(parseScopes(undefined)).toEqual([]);
    expect(parseScopes(['a:b', 'a:b', 'c:d'])).toEqual(['a:b', 'c:d']);
  });

  it('round-trips any list of scope tokens joined with spaces (property)', () => {
    fc.assert(
      fc.property(fc.array(scopeToken, { maxLength: 30 }), fc.integer({ min: 1, max: 3 }), (scopes, spaces) => {
        const parsed = parseScopes(scopes.join(' '.repeat(spaces)));
        expect(parsed).toEqual([...new Set(scopes)]);
      }),
    );
  });

  it.each([
    ['a number', 42],
    ['an object', { scope: 'x' }],
    ['a quote inside', 'cases:read "evil'],
    ['a backslash inside', 'cases:read a\\b'],
    ['a tab separator', 'cases:read\tcases:write'],
    ['an array with a number', ['cases:read', 1]],
  ])('rejects %s', (_label, value) => {
    expect(() => parseScopes(value)).toThrow(ClaimsError);
  });

  it('rejects more than 100 scopes', () => {
    const many = Array.from({ length: 101 }, (_, i) => `s${i}:read`).join(' ');
    expect(() => parseScopes(many)).toThrow(/more than 100/);
  });
});

describe('parseJurisdictions', () => {
  it('accepts country and site codes as an array or a space-separated string', () => {
    expect(parseJurisdictions(['GT', 'GT-MRC-01', 'GT'])).toEqual(['GT', 'GT-MRC-01']);
    expect(parseJurisdictions('MX MX-CHIS-TAP-01')).toEqual(['MX', 'MX-CHIS-TAP-01']);
    expect(parseJurisdictions(undefined)).toEqual([]);
  });

  it.each([['gt'], ['GTM'], ['GT-'], ['GT MRC'], ['G1']])('rejects %s', (code) => {
    expect(() => parseJurisdictions([code])).toThrow(ClaimsError);
  });
});

describe('principalFromClaims', () => {
  const base = { sub: 's', partner_id: 'MX-COMAR', node: 'MX', scope: 'referrals:read', jurisdictions: ['MX'] };

  it('maps claims to exactly the contract fields, frozen', () => {
    const principal = principalFromClaims({ ...base, client_id: 'c', azp: 'ignored', jti: 'j', extra: 'dropped' });
    expect(principal).toEqual({
      subject: 's',
      clientId: 'c',
      partnerId: 'MX-COMAR',
      node: 'MX',
      jurisdictions: ['MX'],
      scopes: ['referrals:read'],
      tokenId: 'j',
    });
    expect(Object.isFrozen(principal)).toBe(true);
    expect(Object.isFrozen(principal.scopes)).toBe(true);
  });

  it('falls back from client_id to azp to sub', () => {
    expect(principalFromClaims({ ...base, azp: 'a' }).clientId).toBe('a');
    expect(principalFromClaims(base).clientId).toBe('s');
  });

  it.each(['partner_id', 'node', 'sub'])('names a missing %s in the error', (claim) => {
    const claims: Record<string, unknown> = { ...base };
    delete claims[claim];
    expect(() => principalFromClaims(claims)).toThrow(new ClaimsError('missing-claim', claim, `The token has no ${claim} claim.`));
  });

  it.each([
    ['partner_id', { partner_id: '' }],
    ['partner_id', { partner_id: 'has space' }],
    ['partner_id', { partner_id: 7 }],
    ['node', { node: 'gt' }],
    ['client_id', { client_id: ['x'] }],
  ])('rejects a malformed %s', (claim, override) => {
    try {
      principalFromClaims({ ...base, ...override });
      throw new Error('expected a ClaimsError');
    } catch (error) {
      expect(error).toBeInstanceOf(ClaimsError);
      expect((error as ClaimsError).claim).toBe(claim);
      expect((error as ClaimsError).reason).toBe('invalid-claim');
    }
  });
});

describe('scope checks and request helpers', () => {
  it('missingScopes returns exactly the required scopes not granted (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(scopeToken, { maxLength: 10 }), fc.uniqueArray(scopeToken, { maxLength: 10 }), (granted, required) => {
        const missing = missingScopes({ scopes: granted }, required);
        expect(missing).toEqual(required.filter((s) => !granted.includes(s)));
        expect(hasScopes({ scopes: granted }, ...required)).toBe(missing.length === 0);
      }),
    );
  });

  it('getPrincipal reads request.principal as set by setPrincipal', () => {
    const request: { principal?: unknown } = {};
    expect(getPrincipal(request)).toBeUndefined();
    const principal = principalFromClaims({ sub: 's', partner_id: 'P', node: 'GT' });
    setPrincipal(request, principal);
    expect(request.principal).toBe(principal);
    expect(getPrincipal(request)).toBe(principal);
  });
});
