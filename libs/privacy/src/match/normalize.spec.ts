import fc from 'fast-check';
import { PrivacyInputError } from '../errors';
import { normalizeBirthDate, normalizeName, normalizeNationality } from './normalize';

describe('normalizeName', () => {
  it.each([
    ['María José Pérez Gómez', 'gomez jose maria perez'],
    ['perez gomez, maria jose', 'gomez jose maria perez'],
    ['MARIA JOSE PEREZ-GOMEZ', 'gomez jose maria perez'],
    ['  María\tJosé\n  PÉREZ   Gómez ', 'gomez jose maria perez'],
    ['Strauß', 'strauss'],
    ['STRAUSS', 'strauss'],
    ['Æsa Søren', 'aesa soren'],
    ['Đorđe Łukasz', 'dorde lukasz'],
    ["O'Brien", 'obrien'],
    ['O’Brien', 'obrien'],
    ['Nguyễn Thị Minh Khai', 'khai minh nguyen thi'],
    ['François-Xavier Ñúñez', 'francois nunez xavier'],
    ['Ｍａｒíａ', 'maria'], // full-width letters (NFKD compatibility)
    ['ﬁlomena', 'filomena'], // ligature
    ['İlkay Işık', 'ilkay isik'],
    ['ΟΔΥΣΣΕΑΣ', 'οδυσσεασ'],
    ['محمد عبد الله', 'الله عبد محمد'],
    ['', ''],
    ['--, .', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  it('is idempotent for any string (graphemes and arbitrary code points)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 })), (s) => {
        const once = normalizeName(s);
        expect(normalizeName(once)).toBe(once);
      }),
      { numRuns: 2_000 },
    );
  });

  it('does not depend on token order, case, accents or punctuation between tokens', () => {
    const token = fc.constantFrom('maría', 'josé', 'pérez', 'gómez', 'ñúñez', 'strauß', 'łucja', 'ørsted', 'ana', 'luis');
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 5 }), fc.constantFrom(' ', ', ', '-', ' / ', '  '), (tokens, sep) => {
        const shuffled = [...tokens].reverse().map((t) => t.toUpperCase());
        expect(normalizeName(shuffled.join(sep))).toBe(normalizeName(tokens.join(' ')));
      }),
    );
  });

  it('outputs only lower-case letters, digits and spacing marks, single-spaced and sorted', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        const n = normalizeName(s);
        expect(n).not.toMatch(/^ | $| {2}/);
        expect(n).not.toMatch(/[\p{P}\p{Mn}]/u);
        const tokens = n === '' ? [] : n.split(' ');
        expect(tokens).toEqual([...tokens].sort());
      }),
      { numRuns: 500 },
    );
  });
});

describe('normalizeBirthDate', () => {
  it.each([
    ['1990-05-01', false, '1990-05-01'],
    [' 1990-05-01 ', false, '1990-05-01'],
    ['1990-05-01T00:00:00Z', false, '1990-05-01'],
    ['1990-05-01T23:30:00-06:00', false, '1990-05-01'],
    ['1990-05-01', true, '1990'],
    ['1990', false, '1990'],
    ['1990-05', false, '1990'],
    ['2000-02-29', false, '2000-02-29'],
  ])('%j (estimated: %s) → %j', (input, estimated, expected) => {
    expect(normalizeBirthDate(input, estimated)).toBe(expected);
  });

  it('takes the UTC calendar date of a Date', () => {
    expect(normalizeBirthDate(new Date(Date.UTC(1985, 11, 31)))).toBe('1985-12-31');
  });

  it.each(['1990-02-30', '1900-02-29', '1990-13-01', '1990-00-10', '1990-5-1', '01/05/1990', '', 'abcd', '1700-01-01'])(
    'rejects %j without repeating it',
    (input) => {
      expect(() => normalizeBirthDate(input)).toThrow(PrivacyInputError);
      try {
        normalizeBirthDate(input);
      } catch (e) {
        if (input.length > 2) expect((e as Error).message).not.toContain(input);
      }
    },
  );

  it('is idempotent on every valid date, exact or estimated', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1800-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true }), fc.boolean(), (d, est) => {
        const once = normalizeBirthDate(d, est);
        expect(normalizeBirthDate(once, est)).toBe(once);
        expect(once).toMatch(est ? /^\d{4}$/ : /^\d{4}-\d{2}-\d{2}$/);
      }),
    );
  });
});

describe('normalizeNationality', () => {
  it('upper-cases ISO 3166-1 alpha-2 codes and rejects anything else', () => {
    expect(normalizeNationality('gt')).toBe('GT');
    expect(normalizeNationality(' Mx ')).toBe('MX');
    for (const bad of ['GTM', 'G', '', '12', 'É1']) expect(() => normalizeNationality(bad)).toThrow(PrivacyInputError);
  });
});
