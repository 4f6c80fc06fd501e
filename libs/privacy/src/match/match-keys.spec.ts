import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { PrivacyInputError } from '../errors';
import { computeMatchKeys, MATCH_RULE_WEIGHTS, MATCH_RULES, parseAgreementKey, scoreMatch, type MatchKey } from './match-keys';

const agreement = { kid: 'gt-mx-2026', secret: randomBytes(32) };
const otherAgreement = { kid: 'gt-us-2026', secret: randomBytes(32) };
const base = { birthDate: '1990-05-01', nationality: 'GT' };

const byRule = (keys: MatchKey[]) => Object.fromEntries(keys.map((k) => [k.rule, k.value]));

describe('computeMatchKeys', () => {
  it('gives the same keys for spelling variants of one identity', () => {
    const variants = [
      computeMatchKeys({ names: ['María José Pérez Gómez'], ...base }, agreement),
      computeMatchKeys({ names: ['perez gomez, maria jose'], ...base }, agreement),
      computeMatchKeys({ names: ['MARIA JOSE PEREZ-GOMEZ'], birthDate: '1990-05-01T00:00:00Z', nationality: 'gt' }, agreement),
      computeMatchKeys({ names: ['Pérez Gómez', 'María José'], ...base }, agreement),
    ];
    for (const v of variants) expect(v).toEqual(variants[0]);
    expect(variants[0].map((k) => k.rule)).toEqual(['FULLNAME_DOB', 'FULLNAME_BIRTHYEAR_NATIONALITY']);

    const parts1 = computeMatchKeys({ givenName: 'María José', familyName: 'Pérez Gómez', ...base }, agreement);
    const parts2 = computeMatchKeys({ givenName: 'MARIA JOSE', familyName: 'PEREZ-GOMEZ', ...base, nationality: 'gt' }, agreement);
    expect(parts1).toEqual(parts2);
    expect(parts1.map((k) => k.rule)).toEqual(MATCH_RULES);
    // The full-name rules agree across both input forms.
    expect(byRule(parts1).FULLNAME_DOB).toBe(byRule(variants[0]).FULLNAME_DOB);
  });

  it('computes base64url(HMAC-SHA256(secret, rule ␟ normalized parts)) and never contains the identity', () => {
    const [fullNameDob] = computeMatchKeys({ names: ['María José Pérez Gómez'], ...base }, agreement);
    const expected = createHmac('sha256', agreement.secret).update('FULLNAME_DOB\x1fgomez jose maria perez\x1f1990-05-01').digest('base64url');
    expect(fullNameDob).toEqual({ rule: 'FULLNAME_DOB', kid: 'gt-mx-2026', value: expected });
    expect(fullNameDob.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(computeMatchKeys({ givenName: 'María', familyName: 'Pérez', ...base }, agreement))).not.toMatch(/mar[ií]a|p[ée]rez|1990/i);
  });

  it('is deterministic per agreement key, and different agreement keys give different values', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), (g, f) => {
        const id = { givenName: `x${g}`, familyName: `y${f}`, ...base };
        const a1 = computeMatchKeys(id, agreement);
        const a2 = computeMatchKeys(id, agreement);
        const b = computeMatchKeys(id, otherAgreement);
        expect(a1).toEqual(a2);
        expect(b.map((k) => k.rule)).toEqual(a1.map((k) => k.rule));
        for (const [i, k] of b.entries()) {
          expect(k.kid).toBe('gt-us-2026');
          expect(k.value).not.toBe(a1[i].value);
        }
        expect(scoreMatch(a1, b)).toEqual({ score: 0, rules: [] });
      }),
      { numRuns: 200 },
    );
  });

  it('gives a different FULLNAME_DOB key for any different birth date', () => {
    const day = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(day, day, (d1, d2) => {
        const iso1 = d1.toISOString().slice(0, 10);
        const iso2 = d2.toISOString().slice(0, 10);
        fc.pre(iso1 !== iso2);
        const k1 = byRule(computeMatchKeys({ names: ['Ana Pérez'], birthDate: iso1 }, agreement));
        const k2 = byRule(computeMatchKeys({ names: ['Ana Pérez'], birthDate: iso2 }, agreement));
        expect(k1.FULLNAME_DOB).not.toBe(k2.FULLNAME_DOB);
      }),
    );
  });

  it('uses only the year of an estimated birth date and skips the exact-date rules', () => {
    const estimated = computeMatchKeys({ givenName: 'Ana', familyName: 'Pérez', birthDate: '1990-05-01', birthDateEstimated: true, nationality: 'HN' }, agreement);
    expect(estimated.map((k) => k.rule)).toEqual(['FULLNAME_BIRTHYEAR_NATIONALITY', 'SURNAME_BIRTHYEAR_NATIONALITY']);
    const yearOnly = computeMatchKeys({ givenName: 'ANA', familyName: 'PEREZ', birthDate: '1990', nationality: 'hn' }, agreement);
    expect(yearOnly).toEqual(estimated);
    const exact = computeMatchKeys({ givenName: 'Ana', familyName: 'Pérez', birthDate: '1990-07-12', nationality: 'HN' }, agreement);
    expect(byRule(exact).SURNAME_BIRTHYEAR_NATIONALITY).toBe(byRule(estimated).SURNAME_BIRTHYEAR_NATIONALITY);
  });

  it('skips rules whose parts are missing', () => {
    expect(computeMatchKeys({ names: ['Ana'], birthDate: null, nationality: null }, agreement)).toEqual([]);
    expect(computeMatchKeys({ names: ['Ana'], birthDate: '2001-01-01' }, agreement).map((k) => k.rule)).toEqual(['FULLNAME_DOB']);
    expect(computeMatchKeys({ givenName: 'Ana', ...base }, agreement).map((k) => k.rule)).toEqual([
      'FULLNAME_DOB',
      'FULLNAME_BIRTHYEAR_NATIONALITY',
      'GIVENNAME_DOB_NATIONALITY',
    ]);
    expect(computeMatchKeys({ names: ['?!'], ...base }, agreement)).toEqual([]);
  });

  it('refuses weak or malformed agreement keys and bad inputs without echoing them', () => {
    expect(() => computeMatchKeys({ names: ['Ana'], ...base }, { kid: 'k', secret: randomBytes(16) })).toThrow(/at least 32 bytes/);
    expect(() => computeMatchKeys({ names: ['Ana'], ...base }, { kid: 'bad kid', secret: randomBytes(32) })).toThrow(PrivacyInputError);
    expect(() => computeMatchKeys({ names: ['Ana'], birthDate: '1990-02-31' }, agreement)).toThrow(PrivacyInputError);
    expect(() => computeMatchKeys({ names: ['Ana'], nationality: 'Guatemala' }, agreement)).toThrow(/alpha-2/);
  });

  it('parses agreement keys written as kid:base64', () => {
    const secret = randomBytes(32);
    expect(parseAgreementKey(`gt-mx:${secret.toString('base64')}`)).toEqual({ kid: 'gt-mx', secret });
    expect(parseAgreementKey(`gt-mx:${secret.toString('base64url')}`)).toEqual({ kid: 'gt-mx', secret });
    expect(() => parseAgreementKey(`gt-mx:${randomBytes(8).toString('base64')}`)).toThrow(PrivacyInputError);
    expect(() => parseAgreementKey('no-colon')).toThrow(PrivacyInputError);
  });
});

describe('scoreMatch', () => {
  const maria = computeMatchKeys({ givenName: 'María José', familyName: 'Pérez Gómez', ...base }, agreement);

  it('scores by coinciding rules: same person 1-Π(1-w) over all rules, FULLNAME_DOB alone 0.9', () => {
    const same = computeMatchKeys({ givenName: 'MARIA JOSE', familyName: 'PEREZ GOMEZ', ...base }, agreement);
    const all = scoreMatch(maria, same);
    expect(all.rules).toEqual(['FULLNAME_DOB', 'FULLNAME_BIRTHYEAR_NATIONALITY', 'GIVENNAME_DOB_NATIONALITY', 'SURNAME_DOB_NATIONALITY', 'SURNAME_BIRTHYEAR_NATIONALITY']);
    expect(all.score).toBeCloseTo(1 - 0.1 * 0.4 * 0.5 * 0.5 * 0.75, 6);

    const otherCountry = computeMatchKeys({ names: ['María José Pérez Gómez'], birthDate: '1990-05-01', nationality: 'SV' }, agreement);
    expect(scoreMatch(maria, otherCountry)).toEqual({ score: MATCH_RULE_WEIGHTS.FULLNAME_DOB, rules: ['FULLNAME_DOB'] });

    const married = computeMatchKeys({ givenName: 'María José', familyName: 'López', ...base }, agreement);
    expect(scoreMatch(maria, married)).toEqual({ score: 0.5, rules: ['GIVENNAME_DOB_NATIONALITY'] });

    const sibling = computeMatchKeys({ givenName: 'Luis', familyName: 'Pérez Gómez', birthDate: '1990-11-30', nationality: 'GT' }, agreement);
    expect(scoreMatch(maria, sibling)).toEqual({ score: 0.25, rules: ['SURNAME_BIRTHYEAR_NATIONALITY'] });

    expect(scoreMatch(maria, [])).toEqual({ score: 0, rules: [] });
  });

  it('never compares keys of different agreement kids, and ignores unknown rules', () => {
    const relabelled = maria.map((k) => ({ ...k, kid: 'another' }));
    expect(scoreMatch(maria, relabelled)).toEqual({ score: 0, rules: [] });
    const unknown = maria.map((k) => ({ ...k, rule: 'FUTURE_RULE' }));
    expect(scoreMatch(unknown, unknown)).toEqual({ score: 0, rules: [] });
  });

  it('is symmetric, bounded to 0..1, monotone in the coinciding rules, and insensitive to order and duplicates', () => {
    const keys = fc.subarray(maria).chain((mine) => fc.tuple(fc.constant(mine), fc.subarray(maria), fc.shuffledSubarray(maria)));
    fc.assert(
      fc.property(keys, ([mine, theirs, more]) => {
        const s = scoreMatch(mine, theirs);
        expect(s.score).toBeGreaterThanOrEqual(0);
        expect(s.score).toBeLessThanOrEqual(1);
        expect(scoreMatch(theirs, mine)).toEqual(s);
        expect(scoreMatch([...mine].reverse(), [...theirs, ...theirs])).toEqual(s);
        expect(scoreMatch(mine, [...theirs, ...more]).score).toBeGreaterThanOrEqual(s.score);
        expect(s.rules).toEqual(mine.filter((k) => theirs.includes(k)).map((k) => k.rule).sort((a, b) => MATCH_RULE_WEIGHTS[b] - MATCH_RULE_WEIGHTS[a] || a.localeCompare(b)));
      }),
    );
  });
});
