import type { AgeBandValue } from '../common/enums';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Earliest accepted birth date. */
export const MIN_BIRTH_DATE = '1900-01-01';

/** Today's date in the easternmost time zone (UTC+14): a child born "today" anywhere is accepted. */
export function latestPossibleBirthDate(now: Date = new Date()): string {
  return new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
}

/** Why `value` is not an acceptable birth date, or undefined when it is one. */
export function checkBirthDate(value: string, now: Date = new Date()): 'format' | 'impossible' | 'future' | 'too-old' | undefined {
  const m = DATE.exec(value);
  if (!m) return 'format';
  const parsed = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) return 'impossible';
  if (value > latestPossibleBirthDate(now)) return 'future';
  if (value < MIN_BIRTH_DATE) return 'too-old';
  return undefined;
}

/**
 * Completed years of age on `asOf` (UTC calendar date) for a `YYYY-MM-DD` birth date; a birth
 * date in the future gives 0. A person born on 29 February turns a year older on 1 March in
 * non-leap years.
 */
export function ageInYears(birthDate: string, asOf: Date = new Date()): number {
  const m = DATE.exec(birthDate);
  if (!m) throw new RangeError('birthDate must be YYYY-MM-DD');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ay = asOf.getUTCFullYear();
  const am = asOf.getUTCMonth() + 1;
  const ad = asOf.getUTCDate();
  let age = ay - y;
  if (am < mo || (am === mo && ad < d)) age -= 1;
  return Math.max(0, age);
}

/** Humanitarian age band (0-4, 5-11, 12-17, 18-59, 60+) of an age in years. */
export function ageBandOf(age: number | undefined): AgeBandValue {
  if (age === undefined || !Number.isFinite(age) || age < 0) return 'unknown';
  if (age < 5) return 'aged_0_to_4';
  if (age < 12) return 'aged_5_to_11';
  if (age < 18) return 'aged_12_to_17';
  if (age < 60) return 'aged_18_to_59';
  return 'aged_60_plus';
}

/** Under 18 on `asOf`. */
export function isMinor(birthDate: string, asOf: Date = new Date()): boolean {
  return ageInYears(birthDate, asOf) < 18;
}

/** True for the age bands of children (an age band is what remains once a person is erased). */
export function isMinorBand(band: AgeBandValue): boolean {
  return band === 'aged_0_to_4' || band === 'aged_5_to_11' || band === 'aged_12_to_17';
}
