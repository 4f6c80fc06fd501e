import { COUNTRY_CODE_PATTERN, type Principal } from '@puente/auth';

/**
 * SQL condition restricting rows to the caller's jurisdictions on a site-code column: a site
 * code covers itself, a country code covers every site of that country (`GT` → `GT-MRC-01`),
 * as `coversJurisdiction` in libs/auth. Parameters are named `<prefix>Sites` / `<prefix>Countries`.
 */
export function jurisdictionCondition(column: string, principal: Pick<Principal, 'jurisdictions'>, prefix = 'jur'): { sql: string; params: Record<string, string[]> } {
  const countries = principal.jurisdictions.filter((j) => COUNTRY_CODE_PATTERN.test(j));
  const sites = principal.jurisdictions.filter((j) => !COUNTRY_CODE_PATTERN.test(j));
  return {
    sql: `(${column} = ANY(:${prefix}Sites) OR left(${column}, 2) = ANY(:${prefix}Countries))`,
    params: { [`${prefix}Sites`]: sites, [`${prefix}Countries`]: countries },
  };
}
