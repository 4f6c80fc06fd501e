import type { EntityManager } from 'typeorm';
import type { CaseProfile } from '../directory/eligibility';
import type { PartnerRecord } from '../directory/directory.service';

/** What referrals need to know of a case, from routing's case read model (intake's and screening's events). */
export interface CaseFacts {
  caseId: string;
  /** Registering site (e.g. GT-MRC-01): whose caseworkers may refer it. */
  siteCode: string;
  closed: boolean;
  erased: boolean;
  /** Persons of the case's household (the referral covers some of them). */
  personIds: readonly string[];
  /** Minimized attributes, as eligibility rules read them. */
  profile: CaseProfile;
}

/** Consents of a case in force for one partner at one instant. */
export interface PartnerConsents {
  /** A referral consent naming this partner, its partner type, or any partner. */
  referral: boolean;
  /** A data-sharing consent naming this partner or its partner type. */
  dataSharing: boolean;
}

/**
 * The case read model as referrals ask it. Routing's read model (fed by intake's and screening's
 * events) provides it; referrals never read another service's database.
 */
export abstract class ReferralCaseFacts {
  abstract find(tx: EntityManager, caseId: string): Promise<CaseFacts | undefined>;
  abstract consentsFor(tx: EntityManager, caseId: string, partner: Pick<PartnerRecord, 'id' | 'partnerType'>, at: Date): Promise<PartnerConsents>;
}

/**
 * What a partner may receive about the case of a referral, as field paths for libs/privacy
 * `minimize`; the partner's agreement names the subset it may have. With a referral consent in
 * force: the minimized attributes below. Identity (names, birth date, documents, contact) is never
 * in this view: intake holds it and has no partner-facing service call for it yet.
 */
export const REFERRAL_CASE_FIELDS = ['caseId', 'coveredPersonIds', 'ageBand', 'sex', 'nationality', 'country', 'site', 'householdSize', 'flags', 'riskLevel'] as const;

/** The case as a referral describes it, before minimization. */
export function referralCaseView(facts: CaseFacts, coveredPersonIds: readonly string[]): Record<(typeof REFERRAL_CASE_FIELDS)[number], unknown> {
  return {
    caseId: facts.caseId,
    coveredPersonIds: [...coveredPersonIds],
    ageBand: facts.profile.ageBand,
    sex: facts.profile.sex,
    nationality: facts.profile.nationality,
    country: facts.profile.country,
    site: facts.profile.site,
    householdSize: facts.profile.householdSize,
    flags: [...facts.profile.flags],
    riskLevel: facts.profile.riskLevel,
  };
}

/** Fields the person's consents let this partner have (agreement ∩ this = what it gets). */
export function consentedFields(consents: PartnerConsents): string[] {
  return consents.referral ? [...REFERRAL_CASE_FIELDS] : [];
}
