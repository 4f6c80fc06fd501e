/**
 * ISO 3166-1 alpha-2 country codes and ISO 639 language codes (the lists every service shares,
 * in @puente/contracts), checked by `isCountryCode` / `isLanguageCode`;
 * unknown codes are a 400 naming the field.
 */
export { COUNTRY_CODES, isCountryCode, isLanguageCode, isNationalityCode, LANGUAGE_CODES, STATELESS_OR_UNKNOWN } from '@puente/contracts';
