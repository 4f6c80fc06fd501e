import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { PrivacyInputError } from '../errors';
import { normalizeBirthDate, normalizeName, normalizeNationality } from './normalize';
import { meaningfulTokens, oneDeletionForms, soundTokens } from './phonetic';

/**
 * Match signals: each combines normalized identity parts; two records that share a signal's
 * key agree on all of its parts. Weights (for scoreMatch) reflect how rarely two different
 * people agree on those parts, tuned on the labelled pairs (labelled-pairs.ts, matcher.eval.spec.ts)
 * so that a score of DEFAULT_MATCH_THRESHOLD (0.6) or more means "same person, review it":
 *
 * | signal                          | parts                                                        | weight |
 * |---------------------------------|--------------------------------------------------------------|--------|
 * | FULLNAME_DOB                    | all name tokens, exact birth date                            | 0.90   |
 * | FULLNAME_BIRTHYEAR_NATIONALITY  | all name tokens, birth year, nationality                     | 0.70   |
 * | GIVENNAME_DOB_NATIONALITY       | given names, exact birth date, nationality                   | 0.30   |
 * | SURNAME_DOB_NATIONALITY         | family names, exact birth date, nationality                  | 0.30   |
 * | SURNAME_BIRTHYEAR_NATIONALITY   | family names, birth year, nationality                        | 0.10   |
 * | NAMESOUND_DAYMONTH_NATIONALITY  | all names by sound, birth date with day and month in either order, nationality | 0.90 |
 * | NAMESOUND_BIRTHYEAR_NATIONALITY | all names by sound, birth year, nationality                  | 0.60   |
 * | FIRSTNAMES_DAYMONTH_NATIONALITY | first given name and first surname by sound (either field), date either order, nationality | 0.80 |
 * | FIRSTNAMES_BIRTHYEAR_NATIONALITY| first given name and first surname by sound, birth year, nationality | 0.40 |
 * | NEAR_FIRSTNAMES                 | first given name and first surname (either field), one of them within one typo and the other by sound, date either order, nationality | 0.70 |
 *
 * "By sound" is spanishSound (b/v, c/s/z, ll/y, silent h, qu/k, accents, ñ). Siblings born the
 * same day share only the surname signals (0.37), namesakes born another year nothing, and a
 * namesake with other surnames only GIVENNAME_DOB_NATIONALITY (0.30). The same full name, birth
 * year and nationality with another day is reported on purpose (0.94): that is also what an
 * estimated or mistyped birth date looks like. Twins who share a first given name (José Luis and
 * José Carlos) are reported too: from keys they look like one record with the first given name
 * only. Signals on an exact date
 * are skipped for estimated birth dates; all but the FULLNAME and NAMESOUND ones need the
 * `givenName`/`familyName` form; all but FULLNAME_DOB need a nationality.
 *
 * NEAR_FIRSTNAMES is a family of NEAR_SLOTS keys (rules `NEAR_FIRSTNAMES.00` … `.31`): half
 * for the first surname's one-letter-deleted forms (oneDeletionForms) next to the first given
 * name's sound, half for the first given name's forms next to the first surname's sound, each
 * half filled up with keys no one else holds, so the count says nothing about the names' lengths.
 * Both halves hash alike, so a typo is found even in names entered in each other's fields. The
 * family coincides when any of its keys on one side equals any on the other.
 */
export const MATCH_RULE_WEIGHTS = {
  FULLNAME_DOB: 0.9,
  FULLNAME_BIRTHYEAR_NATIONALITY: 0.7,
  GIVENNAME_DOB_NATIONALITY: 0.3,
  SURNAME_DOB_NATIONALITY: 0.3,
  SURNAME_BIRTHYEAR_NATIONALITY: 0.1,
  NAMESOUND_DAYMONTH_NATIONALITY: 0.9,
  NAMESOUND_BIRTHYEAR_NATIONALITY: 0.6,
  FIRSTNAMES_DAYMONTH_NATIONALITY: 0.8,
  FIRSTNAMES_BIRTHYEAR_NATIONALITY: 0.4,
  NEAR_FIRSTNAMES: 0.7,
} as const satisfies Record<string, number>;

/** The score at or above which two records are reported as possibly the same person. */
export const DEFAULT_MATCH_THRESHOLD = 0.6;

/** What two records can agree on; NEAR_FIRSTNAMES is carried by a family of rules. */
export type MatchSignal = keyof typeof MATCH_RULE_WEIGHTS;
const NEAR_FAMILIES = ['NEAR_FIRSTNAMES'] as const;
type NearFamily = (typeof NEAR_FAMILIES)[number];
/** Keys per name in the NEAR_ family: its one-deletion forms (names cut to 15 letters) plus filler. */
const FORMS_PER_NAME = 16;
/** Keys in the NEAR_ family: two names' worth. */
export const NEAR_SLOTS = 2 * FORMS_PER_NAME;
const slot = (i: number) => String(i).padStart(2, '0');

/** A key's rule: a signal, or one slot of the NEAR_ family (`NEAR_FIRSTNAMES.07`). */
export type MatchRule = Exclude<MatchSignal, NearFamily> | `${NearFamily}.${string}`;
export const MATCH_RULES: readonly MatchRule[] = (Object.keys(MATCH_RULE_WEIGHTS) as MatchSignal[]).flatMap((signal): MatchRule[] =>
  (NEAR_FAMILIES as readonly string[]).includes(signal)
    ? Array.from({ length: NEAR_SLOTS }, (_, i) => `${signal as NearFamily}.${slot(i)}` as const)
    : [signal as Exclude<MatchSignal, NearFamily>],
);
const RULE_SET = new Set<string>(MATCH_RULES);

/** The signal a rule carries (`NEAR_FIRSTNAMES.07` → `NEAR_FIRSTNAMES`). */
export function signalOf(rule: MatchRule): MatchSignal {
  const dot = rule.indexOf('.');
  return (dot < 0 ? rule : rule.slice(0, dot)) as MatchSignal;
}

/** One blocking variant: base64url(HMAC-SHA256(agreement secret, signal ␟ normalized parts)). */
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

/** Identity with given and family names apart (enables the given-name and surname signals). */
export interface MatchIdentityByParts extends MatchIdentityBase {
  givenName: string;
  familyName?: string | null;
  names?: never;
}

export type MatchIdentity = MatchIdentityByNames | MatchIdentityByParts;

const KID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SEP = '\x1f';

/** Key objects per agreement secret (secrets are configuration, never changed in place): ~40 HMACs per identity would import a raw key each time. */
const secretKeys = new WeakMap<Uint8Array, KeyObject>();

function hmac(secret: Uint8Array, signal: MatchSignal, parts: string[]): string {
  let key = secretKeys.get(secret);
  if (!key) secretKeys.set(secret, (key = createSecretKey(secret)));
  return createHmac('sha256', key).update([signal, ...parts].join(SEP), 'utf8').digest('base64url');
}

const RULE_ORDER = new Map<string, number>(MATCH_RULES.map((r, i) => [r, i]));

/**
 * The NEAR_ family's filler keys computeMatchKeys made in this process. Held beside the keys, not
 * on them: a key object that is published or stored carries nothing that tells a filler apart.
 */
const fillers = new WeakSet<MatchKey>();

/**
 * False for a filler key of the NEAR_ family that computeMatchKeys returned: it equals no other
 * person's key (only the same identity's own), so an index for finding other records need not
 * hold it. True for every other key, and for any key that came from elsewhere (a partner's event,
 * a database row, a copy): unknown keys are searchable, which costs index space, never a match.
 */
export function isSearchableMatchKey(key: MatchKey): boolean {
  return !fillers.has(key);
}

/**
 * Keyed match keys for cross-border duplicate detection. Deterministic for one agreement
 * key, different under another, and not reversible without the secret (HMAC-SHA256).
 * Returns the keys the identity supports, in MATCH_RULES order; [] when the name has no letters.
 */
export function computeMatchKeys(identity: MatchIdentity, agreementKey: AgreementKey): MatchKey[] {
  const { kid, secret } = agreementKey;
  if (typeof kid !== 'string' || !KID.test(kid)) throw new PrivacyInputError('An agreement key id must match /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.');
  if (!(secret instanceof Uint8Array) || secret.length < 32) throw new PrivacyInputError('An agreement secret must be at least 32 bytes.');

  const byParts = 'givenName' in identity && identity.givenName !== undefined;
  const given = byParts ? normalizeName(identity.givenName ?? '') : '';
  const family = byParts ? normalizeName(identity.familyName ?? '') : '';
  const names = byParts ? `${identity.givenName ?? ''} ${identity.familyName ?? ''}` : ((identity as MatchIdentityByNames).names ?? []).join(' ');
  const fullName = normalizeName(names);
  const hasBirthDate = identity.birthDate !== undefined && identity.birthDate !== null && identity.birthDate !== '';
  const dob = hasBirthDate ? normalizeBirthDate(identity.birthDate as string | Date, identity.birthDateEstimated === true) : '';
  const exactDob = dob.length === 10 ? dob : '';
  const year = dob.slice(0, 4);
  // Day and month in either order: 1990-03-05 and 1990-05-03 give the same value.
  const dayMonth = exactDob ? `${year}-${[exactDob.slice(5, 7), exactDob.slice(8, 10)].sort().join('-')}` : '';
  const nat = identity.nationality ? normalizeNationality(identity.nationality) : '';

  const givenSounds = byParts ? soundTokens(identity.givenName ?? '') : [];
  const familySounds = byParts ? soundTokens(identity.familyName ?? '') : [];
  const nameSound = (byParts ? [...givenSounds, ...familySounds] : soundTokens(names)).sort().join(' ');
  const firstGiven = givenSounds[0] ?? '';
  const firstSurname = familySounds[0] ?? '';
  // Unordered, so a name entered in the other field still agrees.
  const firstNames = firstGiven && firstSurname ? [firstGiven, firstSurname].sort().join(' ') : '';

  const single: [MatchSignal, string[]][] = [
    ['FULLNAME_DOB', [fullName, exactDob]],
    ['FULLNAME_BIRTHYEAR_NATIONALITY', [fullName, year, nat]],
    ['GIVENNAME_DOB_NATIONALITY', [given, exactDob, nat]],
    ['SURNAME_DOB_NATIONALITY', [family, exactDob, nat]],
    ['SURNAME_BIRTHYEAR_NATIONALITY', [family, year, nat]],
    ['NAMESOUND_DAYMONTH_NATIONALITY', [nameSound, dayMonth, nat]],
    ['NAMESOUND_BIRTHYEAR_NATIONALITY', [nameSound, year, nat]],
    ['FIRSTNAMES_DAYMONTH_NATIONALITY', [firstNames, dayMonth, nat]],
    ['FIRSTNAMES_BIRTHYEAR_NATIONALITY', [firstNames, year, nat]],
  ];
  const keys: MatchKey[] = single
    .filter(([, parts]) => parts.every((p) => p.length > 0))
    .map(([signal, parts]) => ({ rule: signal as MatchRule, kid, value: hmac(secret, signal, parts) }));

  // Typos are one edit in spelling, not always in sound (Jorge/Jorg sound jorje/jorg): the
  // one-deletion forms are of the spelling, the other name by sound.
  const spelled = (name: string) => (byParts ? (meaningfulTokens(name)[0] ?? '') : '');
  if (firstGiven && firstSurname && dayMonth && nat) {
    const halves: [name: string, other: string][] = [
      [spelled(identity.familyName ?? ''), firstGiven],
      [spelled(identity.givenName ?? ''), firstSurname],
    ];
    for (const [half, [name, other]] of halves.entries()) {
      const forms = oneDeletionForms(name, FORMS_PER_NAME - 1);
      for (let i = 0; i < FORMS_PER_NAME; i++) {
        const at = half * FORMS_PER_NAME + i;
        // Filler keys start with a part no sound code can contain: they equal no one else's form.
        const filler = i >= forms.length;
        const parts = filler ? ['\u0000filler', slot(at), name, other, fullName, dob, nat] : [other, dayMonth, nat, forms[i]];
        const key: MatchKey = { rule: `NEAR_FIRSTNAMES.${slot(at)}`, kid, value: hmac(secret, 'NEAR_FIRSTNAMES', parts) };
        if (filler) fillers.add(key);
        keys.push(key);
      }
    }
  }
  return keys.sort((a, b) => (RULE_ORDER.get(a.rule) ?? 0) - (RULE_ORDER.get(b.rule) ?? 0));
}

/** A match key as received from elsewhere (e.g. a MatchKeysPublished event): the rule is any string. */
export interface ReceivedMatchKey {
  rule: string;
  kid: string;
  value: string;
}

export function isMatchRule(rule: unknown): rule is MatchRule {
  return typeof rule === 'string' && RULE_SET.has(rule);
}

export interface MatchScore {
  /** 0 (nothing in common) … 1; see MATCH_RULE_WEIGHTS. */
  score: number;
  /** Signals on which both sides agree, heaviest first. */
  rules: MatchSignal[];
}

/**
 * Compares two sets of match keys: a signal coincides when both sides hold a key of it (any
 * slot, for NEAR_FIRSTNAMES) with the same agreement kid and the same value. The score combines
 * the coinciding signals' weights as independent evidence: `1 − Π(1 − weight)`. FULLNAME_DOB
 * alone gives 0.9; keys under different kids never coincide. Unknown rules are ignored. A
 * score is a reason for a caseworker to review, never an automatic merge.
 */
export function scoreMatch(mine: readonly ReceivedMatchKey[], theirs: readonly ReceivedMatchKey[]): MatchScore {
  const id = (k: ReceivedMatchKey & { rule: MatchRule }) => `${signalOf(k.rule)}${SEP}${k.kid}${SEP}${k.value}`;
  const theirSet = new Set(theirs.filter((k): k is MatchKey => isMatchRule(k.rule)).map(id));
  const signals = new Set<MatchSignal>();
  for (const k of mine) {
    if (isMatchRule(k.rule) && theirSet.has(id(k as MatchKey))) signals.add(signalOf(k.rule));
  }
  const sorted = [...signals].sort((a, b) => MATCH_RULE_WEIGHTS[b] - MATCH_RULE_WEIGHTS[a] || a.localeCompare(b));
  return { score: combinedScore(sorted), rules: sorted };
}

/** The score of signals coinciding together: `1 − Π(1 − weight)`, to six decimals. */
function combinedScore(signals: readonly MatchSignal[]): number {
  const miss = signals.reduce((p, r) => p * (1 - MATCH_RULE_WEIGHTS[r]), 1);
  return Math.round((1 - miss) * 1e6) / 1e6;
}

/**
 * Signals from broadest to narrowest: how many other persons typically hold the same key. A
 * surname or given names with a birth year and nationality are shared by many at a million
 * records; a full name with an exact date by few.
 */
const BROADEST_FIRST: readonly MatchSignal[] = [
  'SURNAME_BIRTHYEAR_NATIONALITY',
  'FIRSTNAMES_BIRTHYEAR_NATIONALITY',
  'NAMESOUND_BIRTHYEAR_NATIONALITY',
  'GIVENNAME_DOB_NATIONALITY',
  'SURNAME_DOB_NATIONALITY',
  'FULLNAME_BIRTHYEAR_NATIONALITY',
  'NEAR_FIRSTNAMES',
  'FIRSTNAMES_DAYMONTH_NATIONALITY',
  'NAMESOUND_DAYMONTH_NATIONALITY',
  'FULLNAME_DOB',
];

/**
 * The signals whose keys are enough to find every record that can score at or above
 * `threshold`: the broadest signals are left out as long as all those left out together score
 * below it. A record sharing only keys of left-out signals therefore scores below the threshold
 * (the score only grows with more signals) and need not be fetched; whoever shares a key of a
 * returned signal is fetched with all its shared keys, and scored exactly as before.
 */
export function lookupSignals(threshold: number = DEFAULT_MATCH_THRESHOLD): Set<MatchSignal> {
  const left: MatchSignal[] = [];
  for (const signal of BROADEST_FIRST) {
    if (combinedScore([...left, signal]) < threshold) left.push(signal);
  }
  return new Set(BROADEST_FIRST.filter((s) => !left.includes(s)));
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
