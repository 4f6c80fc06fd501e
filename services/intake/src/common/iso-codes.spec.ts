import { COUNTRY_CODES, isCountryCode, isLanguageCode, isNationalityCode, LANGUAGE_CODES } from './iso-codes';

describe('ISO codes', () => {
  it('knows every assigned ISO 3166-1 alpha-2 code and nothing else', () => {
    expect(COUNTRY_CODES.size).toBe(249);
    for (const code of ['GT', 'HN', 'SV', 'MX', 'US', 'CR', 'PA', 'NI', 'VE', 'HT', 'CU']) expect(isCountryCode(code)).toBe(true);
    for (const code of ['XX', 'XK', 'EU', 'UK', 'ZZ', 'gt', 'GTM', '', 'G']) expect(isCountryCode(code)).toBe(false);
    expect(isCountryCode(undefined)).toBe(false);
  });

  it('accepts XX as a nationality (stateless or unknown) only', () => {
    expect(isNationalityCode('XX')).toBe(true);
    expect(isNationalityCode('HN')).toBe(true);
    expect(isNationalityCode('XZ')).toBe(false);
  });

  it('knows ISO 639-1 and the Mesoamerican ISO 639-3 languages met at the border', () => {
    for (const code of ['es', 'en', 'ht', 'fr', 'pt', 'quc', 'mam', 'kek', 'cak', 'cab', 'miq', 'nah']) expect(isLanguageCode(code)).toBe(true);
    for (const code of ['xx', 'ES', 'spa-', 'klingon', '', 'zzz']) expect(isLanguageCode(code)).toBe(false);
    expect(LANGUAGE_CODES.size).toBeGreaterThan(250);
  });
});
