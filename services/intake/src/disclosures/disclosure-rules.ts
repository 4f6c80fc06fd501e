import { CONSENT_PURPOSE_FIELDS, CONSENT_PURPOSE_NAMES, fieldsOfPurposes } from '@puente/privacy';
import { consentAllows, type IntendedUse } from '../consents/consent-rules';

/** Purposes a partner may receive identity fields for, by a service call at delivery time. */
export const DISCLOSURE_PURPOSES = ['referral'] as const satisfies readonly (keyof typeof CONSENT_PURPOSE_FIELDS)[];
export type DisclosurePurpose = (typeof DISCLOSURE_PURPOSES)[number];

/** The identity fields any consent purpose can cover (`person.*` paths); nothing else is disclosed here. */
export const DISCLOSABLE_FIELDS: readonly string[] = fieldsOfPurposes(CONSENT_PURPOSE_NAMES).filter((f) => f.startsWith('person.'));

export interface ConsentInForce {
  id: string;
  purpose: string;
  partnerId: string | null;
  partnerType: string | null;
  destinationCountry: string | null;
  validFrom: Date;
  validUntil: Date | null;
  withdrawnAt: Date | null;
}

export interface DisclosureDecision {
  /** Consents that allow this use at that moment (empty: nothing may be disclosed). */
  consentIds: string[];
  /** Requested fields the consents cover, sorted. */
  disclosed: string[];
  /** Requested fields no consent covers, sorted. */
  withheld: string[];
}

const covers = (allowed: string, path: string) => allowed === path || path.startsWith(`${allowed}.`);

/**
 * Which of the requested fields may go to the partner: those covered by the fields of the purpose
 * of at least one consent in force for this purpose and partner (a consent narrowed to another
 * partner or partner type allows nothing here).
 */
export function decideDisclosure(requested: readonly string[], consents: readonly ConsentInForce[], use: IntendedUse & { purpose: DisclosurePurpose }, at: Date): DisclosureDecision {
  const allowing = consents.filter((c) => consentAllows(c, use, at));
  const consented = fieldsOfPurposes(allowing.map((c) => c.purpose));
  const unique = [...new Set(requested)].sort();
  return {
    consentIds: allowing.map((c) => c.id).sort(),
    disclosed: unique.filter((f) => consented.some((c) => covers(c, f))),
    withheld: unique.filter((f) => !consented.some((c) => covers(c, f))),
  };
}
