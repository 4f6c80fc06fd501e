import { PrivacyInputError } from '../errors';

/**
 * Latin letters that Unicode decomposition leaves alone but people write without the
 * stroke or ligature (and some partner systems transliterate): compared as their plain forms.
 */
export const LATIN_LOOKALIKES: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ŋ: 'n',
  ƒ: 'f',
  ς: 'σ',
};
const LOOKALIKE = new RegExp(`[${Object.keys(LATIN_LOOKALIKES).join('')}]`, 'gu');
/** Non-spacing and enclosing marks: accents, cedillas, tildes, dots (spacing vowel signs stay). */
const DIACRITIC = /[\p{Mn}\p{Me}]/gu;
/** Apostrophes join the parts they separate (O'Brien = OBrien). */
const APOSTROPHE = /['’ʼ‘`´ʹ]/gu;
/** Everything that is not a letter, digit or spacing mark separates tokens (hyphens, commas, dots…). */
const SEPARATOR = /[^\p{L}\p{N}\p{Mc}]+/gu;

function fold(s: string): string {
  let current = s;
  for (let i = 0; i < 8; i++) {
    const next = current.normalize('NFKD').replace(DIACRITIC, '').toLowerCase().replace(LOOKALIKE, (c) => LATIN_LOOKALIKES[c] ?? c);
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * Name normalization for match keys: Unicode NFKD, diacritics removed, lower-cased,
 * Latin look-alikes mapped (ß→ss, æ→ae, ø→o, đ→d, ł→l, …), apostrophes dropped, other
 * punctuation and spacing collapsed into single spaces, tokens sorted. So
 * "María José Pérez Gómez", "perez gomez, maria jose" and "MARIA JOSE PEREZ-GOMEZ" all give
 * "gomez jose maria perez". Idempotent and total (any string, '' for no letters).
 */
export function normalizeName(s: string): string {
  return nameTokens(s).sort().join(' ');
}

/** The folded tokens of a name in the order written (the parts normalizeName sorts). */
export function nameTokens(s: string): string[] {
  return fold(String(s)).replace(APOSTROPHE, '').replace(SEPARATOR, ' ').split(' ').filter((t) => t.length > 0);
}

const YEAR = /^(\d{4})$/;
const YEAR_MONTH = /^(\d{4})-(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function checkYear(y: number): void {
  if (y < 1800 || y > 2999) throw new PrivacyInputError('A birth year must be between 1800 and 2999.');
}

/**
 * Birth date for match keys: `YYYY-MM-DD` (a real calendar date), or `YYYY` when the date is
 * estimated or only the year (or year and month) is known. Accepts ISO dates, date-times
 * (the date part as written) and Date objects (UTC). Idempotent.
 */
export function normalizeBirthDate(value: string | Date, estimated = false): string {
  let y: number;
  let m: number | undefined;
  let d: number | undefined;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new PrivacyInputError('The birth date is not a valid date.');
    [y, m, d] = [value.getUTCFullYear(), value.getUTCMonth() + 1, value.getUTCDate()];
  } else if (typeof value === 'string') {
    const s = value.trim();
    const full = DATE.exec(s);
    const ym = YEAR_MONTH.exec(s);
    const yOnly = YEAR.exec(s);
    if (full) [y, m, d] = [Number(full[1]), Number(full[2]), Number(full[3])];
    else if (ym) [y, m] = [Number(ym[1]), Number(ym[2])];
    else if (yOnly) y = Number(yOnly[1]);
    else throw new PrivacyInputError('A birth date must be YYYY-MM-DD, YYYY-MM or YYYY.');
  } else {
    throw new PrivacyInputError('A birth date must be a string or a Date.');
  }
  checkYear(y);
  if (m !== undefined && (m < 1 || m > 12)) throw new PrivacyInputError('The birth date has no such month.');
  if (d !== undefined) {
    const probe = new Date(Date.UTC(y, (m as number) - 1, d));
    if (d < 1 || probe.getUTCMonth() !== (m as number) - 1) throw new PrivacyInputError('The birth date has no such day.');
  }
  const year = String(y).padStart(4, '0');
  if (estimated || d === undefined) return year;
  return `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** ISO 3166-1 alpha-2, upper-case (`gt` → `GT`); anything else is rejected. */
export function normalizeNationality(value: string): string {
  const s = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!/^[A-Z]{2}$/.test(s)) throw new PrivacyInputError('A nationality must be an ISO 3166-1 alpha-2 code such as GT.');
  return s;
}
