// Validation of a manifest's person rows, one row at a time: a bad row is reported with its
// number and fields (never its values) and the others go on.
import type { FieldError } from '@puente/platform';

export const MAX_MANIFEST_ROWS = 5_000;
export const MOVEMENT_KINDS = ['flight', 'land', 'avr', 'custody_transfer'] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];
export const SEXES = ['female', 'male', 'other', 'undisclosed'] as const;
export type Sex = (typeof SEXES)[number];

/** One person as the returning country sent them (minimal data), after validation. */
export interface ManifestPerson {
  returningReference: string;
  givenNames: string;
  familyNames: string | null;
  birthDate: string;
  nationality: string;
  sex: Sex;
  medicalNotes: string | null;
  protectionNotes: string | null;
  unaccompaniedChild: boolean;
}

/** A rejected row: its number (from 1, as the returning country counts) and what is wrong. */
export interface RejectedRow {
  row: number;
  field: string;
  code: string;
  message: string;
}

const FIELDS = new Set(['returningReference', 'givenNames', 'familyNames', 'birthDate', 'nationality', 'sex', 'medicalNotes', 'protectionNotes', 'unaccompaniedChild']);
const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const FORBIDDEN_IN_NAMES = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;
/** Notes may span lines, nothing else invisible. */
const FORBIDDEN_IN_NOTES = /(?![\n\r])[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;
const MAX_NOTES = 2_000;

function isName(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= 200 && !LONE_SURROGATE.test(v) && /\p{L}/u.test(v) && !FORBIDDEN_IN_NAMES.test(v);
}

function isNotes(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= MAX_NOTES && !LONE_SURROGATE.test(v) && !FORBIDDEN_IN_NOTES.test(v) && /\S/.test(v);
}

/** A real calendar date YYYY-MM-DD. */
export function isCalendarDate(v: unknown): v is string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/** Whole years between a birth date and `on` (both YYYY-MM-DD). */
export function ageOn(birthDate: string, on: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = on.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/**
 * Checks one row (index from 0) of a manifest expected on `expectedOn`: every problem of the
 * row, each with its field and a code. A child flagged unaccompanied must be under 18 that day.
 */
export function rowErrors(raw: unknown, expectedOn: string): { field: string; code: string; message: string }[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [{ field: 'row', code: 'isObject', message: 'a row must be an object' }];
  const r = raw as Record<string, unknown>;
  const errors: { field: string; code: string; message: string }[] = [];
  const fail = (field: string, code: string, message: string) => errors.push({ field, code, message });
  for (const key of Object.keys(r)) if (!FIELDS.has(key)) fail(key, 'unknownField', `${key} is not a manifest field`);
  if (!(typeof r.returningReference === 'string' && REFERENCE.test(r.returningReference)))
    fail('returningReference', 'isReference', 'returningReference must be 1 to 64 letters, digits, dot, underscore, colon, slash or hyphen');
  if (!isName(r.givenNames)) fail('givenNames', 'isPersonName', 'givenNames must be 1 to 200 characters with at least one letter and no control characters');
  if (r.familyNames != null && !isName(r.familyNames)) fail('familyNames', 'isPersonName', 'familyNames must be 1 to 200 characters with at least one letter and no control characters');
  if (!isCalendarDate(r.birthDate) || r.birthDate < '1900-01-01' || r.birthDate > expectedOn) fail('birthDate', 'isBirthDate', 'birthDate must be a real date YYYY-MM-DD, from 1900 and not after the arrival');
  if (!(typeof r.nationality === 'string' && /^[A-Z]{2}$/.test(r.nationality))) fail('nationality', 'isNationalityCode', 'nationality must be an ISO 3166-1 alpha-2 code (XX when unknown)');
  if (!(SEXES as readonly unknown[]).includes(r.sex)) fail('sex', 'isIn', `sex must be one of ${SEXES.join(', ')}`);
  if (r.medicalNotes != null && !isNotes(r.medicalNotes)) fail('medicalNotes', 'isNotes', `medicalNotes must be 1 to ${MAX_NOTES} characters of text`);
  if (r.protectionNotes != null && !isNotes(r.protectionNotes)) fail('protectionNotes', 'isNotes', `protectionNotes must be 1 to ${MAX_NOTES} characters of text`);
  if (r.unaccompaniedChild != null && typeof r.unaccompaniedChild !== 'boolean') fail('unaccompaniedChild', 'isBoolean', 'unaccompaniedChild must be true or false');
  else if (r.unaccompaniedChild === true && isCalendarDate(r.birthDate) && r.birthDate <= expectedOn && ageOn(r.birthDate, expectedOn) >= 18)
    fail('unaccompaniedChild', 'notAChild', 'an unaccompanied child must be under 18 on the day of arrival');
  return errors;
}

/**
 * Splits a manifest's rows into the accepted persons (with their row numbers) and the rejected
 * rows. The same returning-country reference twice: the first row counts, the later ones are
 * rejected (`duplicate`).
 */
export function checkRows(rows: readonly unknown[], expectedOn: string): { accepted: { row: number; person: ManifestPerson }[]; rejected: RejectedRow[] } {
  const accepted: { row: number; person: ManifestPerson }[] = [];
  const rejected: RejectedRow[] = [];
  const seen = new Set<string>();
  rows.forEach((raw, i) => {
    const row = i + 1;
    const errors = rowErrors(raw, expectedOn);
    if (errors.length > 0) {
      rejected.push(...errors.map((e) => ({ row, ...e })));
      return;
    }
    const r = raw as Record<string, unknown>;
    const reference = r.returningReference as string;
    if (seen.has(reference)) {
      rejected.push({ row, field: 'returningReference', code: 'duplicate', message: 'the same person (returningReference) is on an earlier row of this manifest' });
      return;
    }
    seen.add(reference);
    accepted.push({
      row,
      person: {
        returningReference: reference,
        givenNames: r.givenNames as string,
        familyNames: (r.familyNames as string | null | undefined) ?? null,
        birthDate: r.birthDate as string,
        nationality: r.nationality as string,
        sex: r.sex as Sex,
        medicalNotes: (r.medicalNotes as string | null | undefined) ?? null,
        protectionNotes: (r.protectionNotes as string | null | undefined) ?? null,
        unaccompaniedChild: r.unaccompaniedChild === true,
      },
    });
  });
  return { accepted, rejected };
}

/** Field errors of the manifest as a whole (nothing is stored when there is any). */
export function manifestErrors(input: { rowCount: number; expectedOn: string; today: string; centerKnown: boolean }): FieldError[] {
  const errors: FieldError[] = [];
  if (input.rowCount === 0) errors.push({ field: 'persons', message: 'a manifest lists at least one person', code: 'arrayMinSize' });
  if (input.expectedOn < input.today) errors.push({ field: 'movement.expectedOn', message: 'the movement is expected today or later', code: 'pastDate' });
  if (!input.centerKnown) errors.push({ field: 'movement.centerCode', message: 'movement.centerCode does not name an active reception center in your jurisdiction', code: 'unknownReference' });
  return errors;
}
