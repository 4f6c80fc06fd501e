import { createHmac } from 'node:crypto';
import { PrivacyInputError } from '../errors';
import { normalizeBirthDate, normalizeName, normalizeNationality } from './normalize';

/**
 * Blocking rules: each combines normalized identity parts; two records that share a rule's
 * key value agree on all of its parts. Weights (for scoreMatch) reflect how rarely two
 * different people agree on those parts:
 *
 * | rule                            | parts                                   | weight |
 * |---------------------------------|-----------------------------------------|--------|
 * | FULLNAME_DOB                    | all name tokens, exact birth date       | 0.90   |
 * | FULLNAME_BIRTHYEAR_NATIONALITY  | all name tokens, birth year, nationality| 0.60   |
 * | GIVENNAME_DOB_NATIONALITY       | given name, exact birth date, nationality | 0.50 |
 * | SURNAME_DOB_NATIONALITY         | family name, exact birth date, nationality | 0.50 |
 * | SURNAME_BIRTHYEAR_NATIONALITY   | family name, birth year, nationality    | 0.25   |
 *
 * Rules on an exact date are skipped for estimated birth dates; GIVENNAME/SURNAME rules need
 * the `givenName`/`familyName` form; every rule but FULLNAME_DOB needs a nationality.
 */
export const MATCH_RULE_WEIGHTS = {
  FULLNAME_DOB: 0.9,
  FULLNAME_BIRTHYEAR_NATIONALITY: 0.6,
  GIVENNAME_DOB_NATIONALITY: 0.5,
  SURNAME_DOB_NATIONALITY: 0.5,
  SURNAME_BIRTHYEAR_NATIONALITY: 0.25,
} as const satisfies Record<string, number>;

export type MatchRule = keyof typeof MATCH_RULE_WEIGHTS;
export const MATCH_RULES = Object.keys(MATCH_RULE_WEIGHTS) as MatchRule[];

/** One blocking variant: base64url(HMAC-SHA256(agreement secret, rule ␟ normalized parts)). */
export interface MatchKey {
  rule: MatchRule;
  /** Id of the agreement key that produced `value`; only keys with the same kid compare. */
  kid: string;
  value: string;
}

/** The HMAC key shared by a data-sharing agreement (at least 32 random bytes). */
export interface AgreementKey {
  kid: string;
  secret: Uint8Array;
}

interface MatchIdentityBase {
  /** ISO date, date-time, `YYYY-MM`, `YYYY` or a Date. */
  birthDate?: string | Date | null;
  /** True when the birth date is an estimate: only the year is used. */
  birthDateEstimated?: boolean;
  /** ISO 3166-1 alpha-2. */
  nationality?: string | null;
}

/** Identity as a list of name parts in any order (e.g. `['María José', 'Pérez Gómez']`). */
export interface MatchIdentityByNames extends MatchIdentityBase {
  names: readonly string[];
  givenName?: never;
  familyName?: never;
}

/** Identity with given and family names apart (enables the GIVENNAME/SURNAME rules). */
export interface MatchIdentityByParts extends MatchIdentityBase {
  givenName: string;
  familyName?: string | null;
  names?: never;
}

export type MatchIdentity = MatchIdentityByNames | MatchIdentityByParts;

const KID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SEP = '\x1f';

function hmac(secret: Uint8Array, rule: MatchRule, parts: string[]): string {
  return createHmac('sha256', secret).update([rule, ...parts].join(SEP), 'utf8').digest('base64url');
}

/**
 * Keyed match keys for cross-border duplicate detection. Deterministic for one agreement
 * key, different under another, and not reversible without the secret (HMAC-SHA256).
 * Returns the variants the identity supports, sorted by rule; [] when the name has no letters.
 */
export function computeMatchKeys(identity: MatchIdentity, agreementKey: AgreementKey): MatchKey[] {
  const { kid, secret } = agreementKey;
  if (typeof kid !== 'string' || !KID.test(kid)) throw new PrivacyInputError('An agreement key id must match /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.');
  if (!(secret instanceof Uint8Array) || secret.length < 32) throw new PrivacyInputError('An agreement secret must be at least 32 bytes.');

  const byParts = 'givenName' in identity && identity.givenName !== undefined;
  const given = byParts ? normalizeName(identity.givenName ?? '') : '';
  const family = byParts ? normalizeName(identity.familyName ?? '') : '';
  const fullName = byParts
    ? normalizeName(`${identity.givenName ?? ''} ${identity.familyName ?? ''}`)
    : normalizeName(((identity as MatchIdentityByNames).names ?? []).join(' '));
  const hasBirthDate = identity.birthDate !== undefined && identity.birthDate !== null && identity.birthDate !== '';
  const dob = hasBirthDate ? normalizeBirthDate(identity.birthDate as string | Date, identity.birthDateEstimated === true) : '';
  const exactDob = dob.length === 10 ? dob : '';
  const year = dob.slice(0, 4);
  const nat = identity.nationality ? normalizeNationality(identity.nationality) : '';

  const candidates: [MatchRule, string[]][] = [
    ['FULLNAME_DOB', [fullName, exactDob]],
    ['FULLNAME_BIRTHYEAR_NATIONALITY', [fullName, year, nat]],
    ['GIVENNAME_DOB_NATIONALITY', [given, exactDob, nat]],
    ['SURNAME_DOB_NATIONALITY', [family, exactDob, nat]],
    ['SURNAME_BIRTHYEAR_NATIONALITY', [family, year, nat]],
  ];
  return candidates
    .filter(([, parts]) => parts.every((p) => p.length > 0))
    .map(([rule, parts]) => ({ rule, kid, value: hmac(secret, rule, parts) }));
}

/** A match key as received from elsewhere (e.g. a MatchKeysPublished event): the rule is any string. */
export interface ReceivedMatchKey {
  rule: string;
  kid: string;
  value: string;
}

export function isMatchRule(rule: unknown): rule is MatchRule {
  return typeof rule === 'string' && Object.prototype.hasOwnProperty.call(MATCH_RULE_WEIGHTS, rule);
}

export interface MatchScore {
  /** 0 (nothing in common) … 1; see MATCH_RULE_WEIGHTS. */
  score: number;
  /** Rules on which both sides have the same key value, heaviest first. */
  rules: MatchRule[];
}

/**
 * Compares two sets of match keys: a rule coincides when both sides hold a key with that
 * rule, the same agreement kid and the same value. The score combines the coinciding
 * rules' weights as independent evidence: `1 − Π(1 − weight)`. FULLNAME_DOB alone gives
 * 0.9; all five rules give ≈ 0.996; keys under different kids never coincide. Unknown rules
 * are ignored. A score is a reason for a caseworker to review, never an automatic merge.
 */
export function scoreMatch(mine: readonly ReceivedMatchKey[], theirs: readonly ReceivedMatchKey[]): MatchScore {
  const theirSet = new Set(theirs.map((k) => `${k.rule}${SEP}${k.kid}${SEP}${k.value}`));
  const rules = new Set<MatchRule>();
  for (const k of mine) {
    if (isMatchRule(k.rule) && theirSet.has(`${k.rule}${SEP}${k.kid}${SEP}${k.value}`)) {
      rules.add(k.rule);
    }
  }
  const sorted = [...rules].sort((a, b) => MATCH_RULE_WEIGHTS[b] - MATCH_RULE_WEIGHTS[a] || a.localeCompare(b));
  const miss = sorted.reduce((p, r) => p * (1 - MATCH_RULE_WEIGHTS[r]), 1);
  return { score: Math.round((1 - miss) * 1e6) / 1e6, rules: sorted };
}

/** Parses an agreement key written as `kid:base64` (32+ bytes). */
export function parseAgreementKey(spec: string): AgreementKey {
  const colon = spec.indexOf(':');
  const kid = colon > 0 ? spec.slice(0, colon) : '';
  const b64 = colon > 0 ? spec.slice(colon + 1) : '';
  if (!KID.test(kid) || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(b64)) throw new PrivacyInputError('An agreement key must look like kid:base64.');
  const secret = Buffer.from(b64, b64.includes('-') || b64.includes('_') ? 'base64url' : 'base64');
  if (secret.length < 32) throw new PrivacyInputError('An agreement secret must be at least 32 bytes.');
  return { kid, secret };
}
