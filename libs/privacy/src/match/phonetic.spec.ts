import fc from 'fast-check';
import { editDistance } from './labelled-pairs';
import { meaningfulTokens, oneDeletionForms, soundTokens, spanishSound } from './phonetic';

/** Name-like tokens: Spanish letters, accents, ñ, ü, double letters. */
const spanishToken = fc
  .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzñáéíóúü'), { minLength: 1, maxLength: 14 })
  .map((letters) => letters.join(''));

describe('spanishSound', () => {
  it.each([
    // b/v, c/s/z, silent h, hard c/k/qu, ll/y, ge/gi/j/x, doubled letters, accents and ñ
    [['Vásquez', 'Vazquez', 'Basques', 'BÁSQUEZ'], 'baskes'],
    [['Hernández', 'Ernandes', 'hernandez'], 'ernandes'],
    [['Ximena', 'Jimena', 'Gimena'], 'jimena'],
    [['Yllescas', 'Iyescas'], 'iyeskas'],
    [['Quiñónez', 'Kinones', 'Quinonez'], 'kinones'],
    [['Cecilia', 'Sesilia', 'Zecilia'], 'sesilia'],
    [['Reyna', 'Reina'], 'reina'],
    [['Garrido', 'Garido'], 'garido'],
    [['Chávez', 'Chaves', 'Chabez'], 'chabes'],
    [['Guevara', 'Guebara'], 'guebara'],
    [['Enviqueta', 'Embiqueta'], 'embiketa'],
    [['Muñoz', 'Munos'], 'munos'],
    [['Stephany', 'Stefany'], 'stefani'],
  ])('%j all sound %j', (spellings, code) => {
    for (const s of spellings) expect(spanishSound(s)).toBe(code);
  });

  it('keeps sounds apart that Spanish keeps apart', () => {
    expect(spanishSound('Pérez')).not.toBe(spanishSound('Peña'));
    expect(spanishSound('Gómez')).not.toBe(spanishSound('Gámez'));
    expect(spanishSound('Cruz')).not.toBe(spanishSound('Ruiz'));
    expect(spanishSound('Chan')).not.toBe(spanishSound('Can'));
    expect(spanishSound('Gema')).not.toBe(spanishSound('Guema'));
    expect(spanishSound('')).toBe('');
    expect(spanishSound('--')).toBe('');
  });

  it('is idempotent on any string', () => {
    fc.assert(
      fc.property(fc.oneof(spanishToken, fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 })), (s) => {
        const once = spanishSound(s);
        expect(spanishSound(once)).toBe(once);
      }),
      { numRuns: 3_000 },
    );
  });

  it('does not depend on case or accents', () => {
    const accents = (s: string) => s.normalize('NFD').replace(/\p{Mn}/gu, '');
    fc.assert(
      fc.property(spanishToken, (s) => {
        expect(spanishSound(s.toUpperCase())).toBe(spanishSound(s));
        expect(spanishSound(accents(s))).toBe(spanishSound(s));
      }),
      { numRuns: 1_000 },
    );
  });

  it('does not hear b against v, z against s, a leading h, or a doubled r', () => {
    fc.assert(
      fc.property(spanishToken, (s) => {
        const code = spanishSound(s);
        expect(spanishSound(s.replace(/v/g, 'b'))).toBe(code);
        expect(spanishSound(s.replace(/z/g, 's'))).toBe(code);
        expect(spanishSound(`h${s}`)).toBe(code);
        expect(spanishSound(s.replace(/r/g, 'rr'))).toBe(code);
      }),
      { numRuns: 1_000 },
    );
  });

  it('outputs only lower-case letters, without doubled letters', () => {
    fc.assert(
      fc.property(spanishToken, (s) => {
        expect(spanishSound(s)).toMatch(/^[a-z]*$/);
        expect(spanishSound(s)).not.toMatch(/(.)\1/);
      }),
    );
  });
});

describe('soundTokens and meaningfulTokens', () => {
  it('keep the order written and leave out particles, unless nothing else is left', () => {
    expect(soundTokens('María del Carmen')).toEqual(['maria', 'karmen']);
    expect(soundTokens('de la Cruz Hernández')).toEqual(['krus', 'ernandes']);
    expect(meaningfulTokens('De La O')).toEqual(['o']);
    expect(meaningfulTokens('de la')).toEqual(['de', 'la']);
    expect(soundTokens('')).toEqual([]);
  });
});

describe('oneDeletionForms', () => {
  it('lists the token and each one-letter deletion, without repeats', () => {
    expect(oneDeletionForms('ana', 15)).toEqual(['ana', 'na', 'aa', 'an']);
    expect(oneDeletionForms('ll', 15)).toEqual(['ll', 'l']);
    expect(oneDeletionForms('abcdef', 3)).toEqual(['abc', 'bc', 'ac', 'ab']);
  });

  it('shares a form between any two tokens one edit apart (substitution, insertion, deletion, transposition)', () => {
    const edit = fc.tuple(spanishToken, fc.nat(), fc.constantFrom('sub', 'ins', 'del', 'swap'), fc.constantFrom(...'abcdefghijklmnñopqrstuvwxyz'));
    fc.assert(
      fc.property(edit, ([token, at, kind, letter]) => {
        const t = [...token];
        const i = at % t.length;
        if (kind === 'sub') t[i] = letter;
        else if (kind === 'ins') t.splice(i, 0, letter);
        else if (kind === 'del') t.splice(i, 1);
        else if (i + 1 < t.length) [t[i], t[i + 1]] = [t[i + 1], t[i]];
        const typo = t.join('');
        expect(editDistance(token, typo)).toBeLessThanOrEqual(1);
        const mine = new Set(oneDeletionForms(token, 32));
        expect(oneDeletionForms(typo, 32).some((f) => mine.has(f))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives at most maxLength + 1 forms', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 20 }), (s, max) => expect(oneDeletionForms(s, max).length).toBeLessThanOrEqual(max + 1)));
  });
});
