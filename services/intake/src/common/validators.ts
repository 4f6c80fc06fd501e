import { registerDecorator, type ValidationOptions } from 'class-validator';
import { SITE_CODE_PATTERN } from '@puente/auth';
import { isCountryCode, isLanguageCode, isNationalityCode } from './iso-codes';
import { checkBirthDate } from '../persons/age';

function simple(name: string, test: (value: unknown) => boolean, message: string, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message, ...options },
      validator: { validate: (value: unknown) => test(value) },
    });
}

/** An assigned ISO 3166-1 alpha-2 code in upper case (`GT`, `HN`, `MX`). */
export const IsCountryCode = (options?: ValidationOptions) =>
  simple('isCountryCode', isCountryCode, '$property must be an assigned ISO 3166-1 alpha-2 country code such as GT, HN or MX', options);

/** A country code, or `XX` for a stateless person or an unknown nationality. */
export const IsNationalityCode = (options?: ValidationOptions) =>
  simple('isNationalityCode', isNationalityCode, '$property must be an ISO 3166-1 alpha-2 country code (or XX when stateless or unknown)', options);

/** An ISO 639-1 code (`es`) or a listed ISO 639-3 code (`quc`, `mam`, `cab`). */
export const IsLanguageCode = (options?: ValidationOptions) =>
  simple('isLanguageCode', isLanguageCode, '$property must be an ISO 639-1 code (es, en) or a known ISO 639-3 code (quc, mam, cab)', options);

/** A site code: country, then upper-case segments (`GT-MRC-01`). */
export const IsSiteCode = (options?: ValidationOptions) =>
  simple(
    'isSiteCode',
    (v) => typeof v === 'string' && SITE_CODE_PATTERN.test(v),
    '$property must be a site code such as GT-MRC-01 (country code, then 1 to 4 upper-case segments)',
    options,
  );

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Control characters, line/paragraph separators and bidirectional overrides (spoofing). */
const FORBIDDEN_IN_NAMES = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/**
 * A person's name as written, in any script: 1 to 200 characters, at least one letter, no control
 * characters and well-formed Unicode. The value is stored exactly as given (no trimming or case change).
 */
export const IsPersonName = (options?: ValidationOptions) =>
  simple(
    'isPersonName',
    (v) => typeof v === 'string' && v.length >= 1 && v.length <= 200 && !LONE_SURROGATE.test(v) && /\p{L}/u.test(v) && !FORBIDDEN_IN_NAMES.test(v),
    '$property must be 1 to 200 characters with at least one letter and no control characters',
    options,
  );

/** A real calendar date `YYYY-MM-DD`, not in the future and not before 1900. */
export const IsBirthDate = (options?: ValidationOptions) =>
  simple('isBirthDate', (v) => typeof v === 'string' && checkBirthDate(v) === undefined, '$property must be a real date YYYY-MM-DD, not in the future and not before 1900', options);

/** A real calendar date `YYYY-MM-DD`. */
export const IsCalendarDate = (options?: ValidationOptions) =>
  simple(
    'isCalendarDate',
    (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v,
    '$property must be a real date YYYY-MM-DD',
    options,
  );

/** Free identifiers that are not personal data (staff ids, partner ids, external references). */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
