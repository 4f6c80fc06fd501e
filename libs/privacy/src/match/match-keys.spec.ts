import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { PrivacyInputError } from '../errors';
import { computeMatchKeys, DEFAULT_MATCH_THRESHOLD, isSearchableMatchKey, lookupSignals, MATCH_RULE_WEIGHTS, MATCH_RULES, type MatchSignal, NEAR_SLOTS, parseAgreementKey, scoreMatch, signalOf, type MatchKey } from './match-keys';

const agreement = { kid: 'gt-mx-2026', secret: randomBytes(32) };
const otherAgreement = { kid: 'gt-us-2026', secret: randomBytes(32) };
const base = { birthDate: '1990-05-01', nationality: 'GT' };

const byRule = (keys: MatchKey[]) => Object.fromEntries(keys.map((k) => [k.rule, k.value]));
const signals = (keys: MatchKey[]) => [...new Set(keys.map((k) => signalOf(k.rule)))];

describe('computeMatchKeys', () => {
  it('gives the same keys for spelling variants of one identity', () => {
    const variants = [
      computeMatchKeys({ names: ['María José Pérez Gómez'], ...base }, agreement),
      computeMatchKeys({ names: ['perez gomez, maria jose'], ...base }, agreement),
      computeMatchKeys({ names: ['MARIA JOSE PEREZ-GOMEZ'], birthDate: '1990-05-01T00:00:00Z', nationality: 'gt' }, agreement),
      computeMatchKeys({ names: ['Pérez Gómez', 'María José'], ...base }, agreement),
    ];
    for (const v of variants) expect(v).toEqual(variants[0]);
    expect(variants[0].map((k) => k.rule)).toEqual(['FULLNAME_DOB', 'FULLNAME_BIRTHYEAR_NATIONALITY', 'NAMESOUND_DAYMONTH_NATIONALITY', 'NAMESOUND_BIRTHYEAR_NATIONALITY']);

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
    expect(estimated.map((k) => k.rule)).toEqual(['FULLNAME_BIRTHYEAR_NATIONALITY', 'SURNAME_BIRTHYEAR_NATIONALITY', 'NAMESOUND_BIRTHYEAR_NATIONALITY', 'FIRSTNAMES_BIRTHYEAR_NATIONALITY']);
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
      'NAMESOUND_DAYMONTH_NATIONALITY',
      'NAMESOUND_BIRTHYEAR_NATIONALITY',
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

describe('computeMatchKeys: signals that survive real spelling', () => {
  const person = { givenName: 'María José', familyName: 'Pérez Gómez', birthDate: '1994-08-21', nationality: 'HN' };

  it('gives every signal for a full identity, NEAR_FIRSTNAMES in NEAR_SLOTS keys whatever the names\' lengths', () => {
    expect(signals(computeMatchKeys(person, agreement))).toEqual(Object.keys(MATCH_RULE_WEIGHTS));
    expect(computeMatchKeys(person, agreement).map((k) => k.rule)).toEqual(MATCH_RULES);
    for (const familyName of ['Pop Caal', 'Quintanilla Villatoro', 'Ab', 'Wolfeschlegelsteinhausenbergerdorff']) {
      const keys = computeMatchKeys({ ...person, familyName }, agreement);
      expect(keys.filter((k) => signalOf(k.rule) === 'NEAR_FIRSTNAMES')).toHaveLength(NEAR_SLOTS);
      expect(new Set(keys.map((k) => k.value)).size).toBe(keys.length);
    }
  });

  it('the same person written differently keeps the by-sound signals (accents, case, b/v, s/z, silent h, field order)', () => {
    const sounds = (keys: MatchKey[]) => keys.filter((k) => /^(NAMESOUND|FIRSTNAMES)_/.test(k.rule));
    const variants = [
      { ...person, givenName: 'MARIA JOSE', familyName: 'perez gomes' },
      { ...person, givenName: 'Pérez Gómez', familyName: 'María José' },
      { ...person, givenName: 'Maria Jose', familyName: 'Peres Gomez', birthDate: '1994-08-21T00:00:00Z' },
    ];
    for (const v of variants) expect(sounds(computeMatchKeys(v, agreement))).toEqual(sounds(computeMatchKeys(person, agreement)));
    const vasquez = (familyName: string) => byRule(computeMatchKeys({ givenName: 'Ximena', familyName, birthDate: '2001-03-04', nationality: 'GT' }, agreement));
    expect(vasquez('Vásquez Hernández').NAMESOUND_DAYMONTH_NATIONALITY).toBe(vasquez('Basques Ernandes').NAMESOUND_DAYMONTH_NATIONALITY);
    // day and month swapped: the either-order signals agree, the exact-date ones do not
    const swapped = byRule(computeMatchKeys({ givenName: 'Ximena', familyName: 'Vásquez Hernández', birthDate: '2001-04-03', nationality: 'GT' }, agreement));
    expect(swapped.FIRSTNAMES_DAYMONTH_NATIONALITY).toBe(vasquez('Vásquez Hernández').FIRSTNAMES_DAYMONTH_NATIONALITY);
    expect(swapped.FULLNAME_DOB).not.toBe(vasquez('Vásquez Hernández').FULLNAME_DOB);
  });

  it('gives identical keys for one identity however it is written, and other values under another agreement key', () => {
    const token = fc.constantFrom('María', 'José', 'Pérez', 'Gómez', 'Ñúñez', 'Xicará', 'de la Cruz', 'Hernández', 'Ana');
    const accents = (s: string) => s.normalize('NFD').replace(/\p{Mn}/gu, '');
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 3 }), fc.array(token, { minLength: 1, maxLength: 3 }), fc.boolean(), (given, family, upper) => {
        const id = { givenName: given.join(' '), familyName: family.join(' '), ...base };
        const written = { ...id, givenName: ` ${accents(id.givenName)}  `, familyName: upper ? id.familyName.toUpperCase() : id.familyName.toLowerCase(), nationality: 'gt' };
        expect(computeMatchKeys(written, agreement)).toEqual(computeMatchKeys(id, agreement));
        const other = computeMatchKeys(id, otherAgreement);
        expect(scoreMatch(computeMatchKeys(id, agreement), other)).toEqual({ score: 0, rules: [] });
      }),
      { numRuns: 300 },
    );
  });

  it('tells the NEAR_FIRSTNAMES filler keys apart only beside the keys: a copy, a stored or a received key is searchable', () => {
    const keys = computeMatchKeys(person, agreement);
    const near = keys.filter((k) => signalOf(k.rule) === 'NEAR_FIRSTNAMES');
    // María and Pérez: each name and its five one-letter-deleted forms; the other 20 slots are filler.
    expect(near.filter(isSearchableMatchKey)).toHaveLength(12);
    expect(keys.filter((k) => signalOf(k.rule) !== 'NEAR_FIRSTNAMES').every(isSearchableMatchKey)).toBe(true);
    expect(computeMatchKeys({ ...person, familyName: 'Quintanilla Villatoro' }, agreement).filter(isSearchableMatchKey).length).toBeGreaterThan(9 + 12);
    const copies = keys.map((k) => ({ ...k }));
    expect(copies.every(isSearchableMatchKey)).toBe(true);
    expect(JSON.stringify(copies)).toBe(JSON.stringify(keys));
  });

  it('scores any two identities alike whether or not the other side holds its filler keys (an index may leave them out)', () => {
    const token = fc.constantFrom('María', 'Maria', 'Mria', 'José', 'Pérez', 'Perez', 'Peres', 'Prez', 'Gómez', 'Ana', 'An', 'A', 'Xicará', 'de la Cruz', 'Hernández');
    const identity = fc.record({
      givenName: fc.array(token, { minLength: 1, maxLength: 2 }).map((t) => t.join(' ')),
      familyName: fc.array(token, { minLength: 1, maxLength: 2 }).map((t) => t.join(' ')),
      birthDate: fc.constantFrom('1990-05-01', '1990-01-05', '1991-05-01'),
      nationality: fc.constantFrom('GT', 'HN'),
    });
    fc.assert(
      fc.property(identity, identity, (a, b) => {
        const mine = computeMatchKeys(a, agreement);
        const theirs = computeMatchKeys(b, agreement);
        expect(scoreMatch(mine, theirs.filter(isSearchableMatchKey))).toEqual(scoreMatch(mine, theirs));
      }),
      { numRuns: 500 },
    );
  });

  it('never holds a name, a date or a sound code in clear, only 43-character HMACs', () => {
    const keys = computeMatchKeys(person, agreement);
    const text = JSON.stringify(keys);
    for (const part of ['maria', 'jose', 'perez', 'peres', 'gomes', 'gomez', '1994', '08-21']) expect(text.toLowerCase()).not.toContain(part);
    for (const k of keys) expect(k.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('scoreMatch', () => {
  const maria = computeMatchKeys({ givenName: 'María José', familyName: 'Pérez Gómez', ...base }, agreement);
  const score = (other: Parameters<typeof computeMatchKeys>[0]) => scoreMatch(maria, computeMatchKeys(other, agreement));

  it('scores by coinciding signals as independent evidence: 1-Π(1-w); FULLNAME_DOB alone 0.9', () => {
    const all = score({ givenName: 'MARIA JOSE', familyName: 'PEREZ GOMEZ', ...base });
    expect(all.rules).toEqual([...Object.keys(MATCH_RULE_WEIGHTS)].sort((a, b) => MATCH_RULE_WEIGHTS[b as keyof typeof MATCH_RULE_WEIGHTS] - MATCH_RULE_WEIGHTS[a as keyof typeof MATCH_RULE_WEIGHTS] || a.localeCompare(b)));
    expect(all.score).toBeCloseTo(1 - Object.values(MATCH_RULE_WEIGHTS).reduce((p, w) => p * (1 - w), 1), 6);

    const otherCountry = computeMatchKeys({ names: ['María José Pérez Gómez'], birthDate: '1990-05-01', nationality: 'SV' }, agreement);
    expect(scoreMatch(maria, otherCountry)).toEqual({ score: MATCH_RULE_WEIGHTS.FULLNAME_DOB, rules: ['FULLNAME_DOB'] });
    expect(scoreMatch(maria, [])).toEqual({ score: 0, rules: [] });
  });

  // The three cases a caseworker met on one node (issue 10): now the first two are reported, the third is not.
  it('reports a dropped second surname and a one-letter surname typo, not siblings born the same day', () => {
    const dropped = score({ givenName: 'María José', familyName: 'Pérez', ...base });
    expect(dropped.score).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLD);
    expect(dropped.rules).toEqual(expect.arrayContaining(['FIRSTNAMES_DAYMONTH_NATIONALITY', 'NEAR_FIRSTNAMES']));
    for (const typo of ['Pérez Gómes', 'Péres Gómez', 'Prez Gómez', 'Pérez Gónez', 'Pérze Gómez', 'Pérezz Gómez']) {
      expect(score({ givenName: 'María José', familyName: typo, ...base }).score).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLD);
    }
    const sibling = score({ givenName: 'Luis Fernando', familyName: 'Pérez Gómez', ...base });
    expect(sibling).toEqual({ score: 0.37, rules: ['SURNAME_DOB_NATIONALITY', 'SURNAME_BIRTHYEAR_NATIONALITY'] });
    const namesake = score({ givenName: 'María José', familyName: 'López Ramírez', ...base });
    expect(namesake).toEqual({ score: 0.3, rules: ['GIVENNAME_DOB_NATIONALITY'] });
    expect(score({ givenName: 'María José', familyName: 'Pérez Gómez', ...base, birthDate: '1991-05-01' }).score).toBe(0);
  });

  it('reports the same full name born the same year on another day: an estimated or mistyped date looks the same', () => {
    const otherDay = score({ givenName: 'María José', familyName: 'Pérez Gómez', ...base, birthDate: '1990-11-30' });
    expect(otherDay.rules).toEqual(['FULLNAME_BIRTHYEAR_NATIONALITY', 'NAMESOUND_BIRTHYEAR_NATIONALITY', 'FIRSTNAMES_BIRTHYEAR_NATIONALITY', 'SURNAME_BIRTHYEAR_NATIONALITY']);
    expect(otherDay.score).toBeCloseTo(0.9352, 4);
    const estimated = score({ givenName: 'María José', familyName: 'Pérez Gómez', ...base, birthDate: '1990-01-01', birthDateEstimated: true });
    expect(estimated).toEqual(otherDay);
  });

  it('finds a one-letter typo of a first given name, but not a sibling one letter off in the surname only', () => {
    expect(score({ givenName: 'Mraía José', familyName: 'Pérez Gómez', ...base }).rules).toContain('NEAR_FIRSTNAMES');
    expect(score({ givenName: 'Mraía José', familyName: 'Pérez Gómez', ...base }).score).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLD);
    expect(score({ givenName: 'Ana', familyName: 'Péres Gómez', ...base }).score).toBeLessThan(DEFAULT_MATCH_THRESHOLD);
  });

  it('never compares keys of different agreement kids, and ignores unknown rules', () => {
    const relabelled = maria.map((k) => ({ ...k, kid: 'another' }));
    expect(scoreMatch(maria, relabelled)).toEqual({ score: 0, rules: [] });
    const unknown = maria.map((k) => ({ ...k, rule: 'FUTURE_RULE' }));
    expect(scoreMatch(unknown, unknown)).toEqual({ score: 0, rules: [] });
  });

  it('matches a NEAR_FIRSTNAMES form in any slot, and a typo in names entered in each other\'s fields', () => {
    // "perz" is the typo's own spelling (slot 00) and one of "perez"'s one-deletion forms (slot 04).
    const typo = computeMatchKeys({ givenName: 'María José', familyName: 'Pérz Gómez', ...base }, agreement);
    const shared = typo.filter((k) => signalOf(k.rule) === 'NEAR_FIRSTNAMES' && maria.some((m) => m.value === k.value));
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.some((k) => maria.find((m) => m.value === k.value)?.rule !== k.rule)).toBe(true);
    const swappedWithTypo = score({ givenName: 'Pérz Gómez', familyName: 'María José', ...base });
    expect(swappedWithTypo.rules).toContain('NEAR_FIRSTNAMES');
    expect(swappedWithTypo.score).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLD);
  });

  it('is symmetric, bounded to 0..1, monotone in the coinciding keys, and insensitive to order and duplicates', () => {
    const keys = fc.subarray(maria).chain((mine) => fc.tuple(fc.constant(mine), fc.subarray(maria), fc.shuffledSubarray(maria)));
    fc.assert(
      fc.property(keys, ([mine, theirs, more]) => {
        const s = scoreMatch(mine, theirs);
        expect(s.score).toBeGreaterThanOrEqual(0);
        expect(s.score).toBeLessThanOrEqual(1);
        expect(scoreMatch(theirs, mine)).toEqual(s);
        expect(scoreMatch([...mine].reverse(), [...theirs, ...theirs])).toEqual(s);
        expect(scoreMatch(mine, [...theirs, ...more]).score).toBeGreaterThanOrEqual(s.score);
        const expected = [...new Set(mine.filter((k) => theirs.includes(k)).map((k) => signalOf(k.rule)))];
        expect(s.rules).toEqual(expected.sort((a, b) => MATCH_RULE_WEIGHTS[b] - MATCH_RULE_WEIGHTS[a] || a.localeCompare(b)));
      }),
    );
  });
});

describe('lookupSignals', () => {
  const signals = Object.keys(MATCH_RULE_WEIGHTS) as MatchSignal[];
  const scoreOfSignals = (shared: readonly MatchSignal[]) => {
    // Two records sharing exactly these signals, one key each (any slot for NEAR_FIRSTNAMES).
    const keys = shared.map((s): MatchKey => ({ rule: (s === 'NEAR_FIRSTNAMES' ? 'NEAR_FIRSTNAMES.03' : s) as MatchKey['rule'], kid: 'k1', value: `v-${s}` }));
    return scoreMatch(keys, keys).score;
  };

  it('leaves out the two birth-year signals of names at the default threshold, and nothing at a threshold of 0', () => {
    const lookup = lookupSignals();
    expect(signals.filter((s) => !lookup.has(s)).sort()).toEqual(['FIRSTNAMES_BIRTHYEAR_NATIONALITY', 'SURNAME_BIRTHYEAR_NATIONALITY']);
    expect(lookupSignals(0).size).toBe(signals.length);
  });

  it('finds every record that can reach the threshold: any set of shared signals scoring at or above it holds a lookup signal', () => {
    fc.assert(
      fc.property(fc.subarray(signals, { minLength: 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (shared, threshold) => {
        const lookup = lookupSignals(threshold);
        if (scoreOfSignals(shared) >= threshold) expect(shared.some((s) => lookup.has(s))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves out what it can: the signals left out score below the threshold together, and any one more would not', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1, noNaN: true }), (threshold) => {
        const lookup = lookupSignals(threshold);
        const left = signals.filter((s) => !lookup.has(s));
        expect(scoreOfSignals(left)).toBeLessThan(threshold);
        for (const s of lookup) expect(scoreOfSignals([...left, s])).toBeGreaterThanOrEqual(threshold);
      }),
    );
  });
});
