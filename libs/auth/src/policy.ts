import { ProblemException } from '@puente/platform';
import { COUNTRY_CODE_PATTERN, isJurisdictionCode, missingScopes, type Principal } from './principal';
import { AuthProblemTypes, insufficientScopeProblem, resourceNotFound } from './problems';

/**
 * Object-level authorization helpers, one line each in a handler or service.
 *
 * The 403 vs 404 rule:
 * - 404 `not-found` when answering would reveal that an object exists to a caller who may
 *   not see it (a referral not addressed to the partner, a case in another jurisdiction). The
 *   response is byte-for-byte the one for a missing id (see resourceNotFound), so ids cannot
 *   be probed.
 * - 403 when the caller already knows what it asked for and only its rights fall short: a
 *   missing scope (`insufficient-scope`), or a jurisdiction it named itself in the request
 *   (`out-of-jurisdiction`), e.g. registering a person at a site it does not serve.
 * - 401 only for the token itself.
 */

/** Parties of an object by role, e.g. `{ sender: r.senderPartnerId, receiver: r.receiverPartnerId }`. */
export type Parties = Readonly<Record<string, string | null | undefined>>;

/** The roles of `parties` the principal's partner holds (empty when it is not a party). */
export function partyRoles(principal: Pick<Principal, 'partnerId'>, parties: Parties): string[] {
  return Object.entries(parties)
    .filter(([, partnerId]) => typeof partnerId === 'string' && partnerId.length > 0 && partnerId === principal.partnerId)
    .map(([role]) => role);
}

/** True when the principal's partner is one of the parties. */
export function isParty(principal: Pick<Principal, 'partnerId'>, parties: Parties): boolean {
  return partyRoles(principal, parties).length > 0;
}

export interface AssertPartyOptions {
  /** Noun used in the 404 detail (default `resource`); use the same noun for real misses. */
  resource?: string;
}

/**
 * Lets the request through only when the caller's partner is one of the parties of the
 * object; otherwise throws the same 404 as a missing id. Returns the roles the caller holds.
 *
 * `assertParty(principal, { sender: referral.senderPartnerId, receiver: referral.receiverPartnerId }, { resource: 'referral' })`
 */
export function assertParty(principal: Pick<Principal, 'partnerId'>, parties: Parties, options: AssertPartyOptions = {}): string[] {
  const roles = partyRoles(principal, parties);
  if (roles.length === 0) throw resourceNotFound(options.resource ?? 'resource');
  return roles;
}

/**
 * True when the jurisdictions cover `target`: an exact match, or a country code covering
 * every site of that country (`GT` covers `GT-MRC-01`). A site code covers only itself.
 * A malformed target is covered by nothing.
 */
export function coversJurisdiction(jurisdictions: readonly string[], target: string): boolean {
  if (!isJurisdictionCode(target)) return false;
  return jurisdictions.some((j) => j === target || (COUNTRY_CODE_PATTERN.test(j) && target.startsWith(`${j}-`)));
}

/** True when the principal may act in the site or country `target`. */
export function inJurisdiction(principal: Pick<Principal, 'jurisdictions'>, target: string): boolean {
  return coversJurisdiction(principal.jurisdictions, target);
}

export interface AssertJurisdictionOptions {
  /**
   * Answer 404 for this resource noun instead of 403: use it when `target` comes from a stored
   * object (e.g. the site of a case read by id), so its existence does not leak.
   */
  hideAs?: string;
}

/**
 * Throws unless the principal's jurisdictions cover `siteCodeOrCountry`: 403
 * `out-of-jurisdiction` by default (the caller named the jurisdiction itself), or the 404 of
 * a missing id with `{ hideAs: 'case' }`.
 */
export function assertJurisdiction(
  principal: Pick<Principal, 'jurisdictions'>,
  siteCodeOrCountry: string,
  options: AssertJurisdictionOptions = {},
): void {
  if (inJurisdiction(principal, siteCodeOrCountry)) return;
  if (options.hideAs !== undefined) throw resourceNotFound(options.hideAs);
  throw new ProblemException(
    403,
    AuthProblemTypes.OUT_OF_JURISDICTION,
    'Outside your jurisdiction',
    'The jurisdictions of your token do not cover this site or country.',
  );
}

/** Programmatic scope check (for decisions inside a handler); 403 like @RequireScopes. */
export function assertScopes(principal: Pick<Principal, 'scopes'>, ...required: string[]): void {
  const missing = missingScopes(principal, required);
  if (missing.length > 0) throw insufficientScopeProblem([...new Set(required)], missing);
}
