import { Injectable } from '@nestjs/common';
import { coversJurisdiction } from '@puente/auth';
import type { EntityManager } from 'typeorm';
import type { PartnerRecord } from '../directory/directory.service';
import type { CaseProfile, RiskLevel } from '../directory/eligibility';
import type { AgeBand, Sex } from '../directory/vocabulary';
import { type CaseFacts, type PartnerConsents, ReferralCaseFacts } from '../referrals/case-facts';
import type { RecommendedPathway } from './vocabulary-mapping';

/** A row of routing_case. */
export interface RoutingCaseRow {
  case_id: string;
  site_code: string;
  custody_node: string;
  household: boolean;
  age_band: AgeBand | null;
  sex: Sex | null;
  nationality: string | null;
  intake_flags: string[];
  screening_id: string | null;
  screened_at: Date | null;
  screening_flags: string[] | null;
  risk_level: RiskLevel | null;
  recommended: RecommendedPathway[];
  closed_at: Date | null;
  erased_at: Date | null;
}

/** A case as routing knows it: its row and the persons of its household still present. */
export interface RoutingCase {
  row: RoutingCaseRow;
  personIds: string[];
}

/**
 * What eligibility rules see of a case. The latest completed screening's flags replace intake's
 * preliminary ones (the screening is the structured assessment); before a screening, intake's
 * flags count. The country is the registering site's (where the person is now).
 */
export function profileOf(c: RoutingCase): CaseProfile {
  const r = c.row;
  return {
    ageBand: r.age_band,
    sex: r.sex,
    nationality: r.nationality,
    country: /^[A-Z]{2}/.test(r.site_code) ? r.site_code.slice(0, 2) : r.custody_node,
    site: r.site_code || null,
    household: r.household || c.personIds.length > 1,
    householdSize: Math.max(1, c.personIds.length),
    flags: [...(r.screening_flags ?? r.intake_flags)],
    recommended: r.recommended.map((x) => x.pathway),
    riskLevel: r.risk_level,
  };
}

interface ConsentRow {
  purpose: string;
  partner_id: string | null;
  partner_type: string | null;
}

/**
 * Routing's case read model as the rest of the service asks it, and as referrals ask it
 * (ReferralCaseFacts): cases, their persons, consents and latest screening.
 */
@Injectable()
export class RoutingCaseFacts extends ReferralCaseFacts {
  async load(tx: EntityManager, caseId: string): Promise<RoutingCase | undefined> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(caseId)) return undefined;
    const [row] = (await tx.query(`SELECT * FROM routing_case WHERE case_id = $1`, [caseId.toLowerCase()])) as RoutingCaseRow[];
    if (!row) return undefined;
    const persons = (await tx.query(`SELECT person_id FROM routing_case_person WHERE case_id = $1 AND erased_at IS NULL ORDER BY person_id`, [row.case_id])) as { person_id: string }[];
    return { row, personIds: persons.map((p) => p.person_id) };
  }

  /** Whether the caller's jurisdictions cover the case's site or custody node. */
  visibleTo(c: RoutingCase, jurisdictions: readonly string[]): boolean {
    return (c.row.site_code !== '' && coversJurisdiction(jurisdictions, c.row.site_code)) || coversJurisdiction(jurisdictions, c.row.custody_node);
  }

  async find(tx: EntityManager, caseId: string): Promise<CaseFacts | undefined> {
    const c = await this.load(tx, caseId);
    if (!c || c.row.site_code === '') return undefined;
    return { caseId: c.row.case_id, siteCode: c.row.site_code, closed: c.row.closed_at !== null, erased: c.row.erased_at !== null, personIds: c.personIds, profile: profileOf(c) };
  }

  /**
   * Consents in force at `at` for this partner: a referral consent naming the partner, its type,
   * or no partner at all (any partner); a data-sharing consent naming the partner or its type.
   */
  async consentsFor(tx: EntityManager, caseId: string, partner: Pick<PartnerRecord, 'id' | 'partnerType'>, at: Date): Promise<PartnerConsents> {
    const rows = (await tx.query(
      `SELECT purpose, partner_id, partner_type FROM routing_consent
        WHERE case_id = $1 AND purpose IN ('referral', 'data_sharing') AND recorded_at IS NOT NULL AND withdrawn_at IS NULL
          AND (valid_from IS NULL OR valid_from <= $2) AND (valid_until IS NULL OR valid_until > $2)`,
      [caseId, at],
    )) as ConsentRow[];
    const names = (r: ConsentRow) => r.partner_id === partner.id || (r.partner_type !== null && r.partner_type === partner.partnerType);
    return {
      referral: rows.some((r) => r.purpose === 'referral' && (names(r) || (r.partner_id === null && r.partner_type === null))),
      dataSharing: rows.some((r) => r.purpose === 'data_sharing' && names(r)),
    };
  }
}
