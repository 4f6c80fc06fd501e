import { Injectable } from '@nestjs/common';
import { coversJurisdiction } from '@puente/auth';
import { type EntityManager, IsNull } from 'typeorm';
import type { NotAllowedReason } from '../problems';
import { CaseConsentEntity, CaseRecordEntity } from './case-record.entity';

export type Eligibility = { ok: true; case: CaseRecordEntity } | { ok: false; reason: NotAllowedReason };

/** Is this consent in force at `at`? */
export function consentInForce(c: CaseConsentEntity, at: Date): boolean {
  return (
    c.recordedAt !== null &&
    c.withdrawnAt === null &&
    (c.validFrom === null || c.validFrom.getTime() <= at.getTime()) &&
    (c.validUntil === null || c.validUntil.getTime() > at.getTime())
  );
}

/** Why no consent is in force (there is at least one row): the most actionable reason. */
function missingConsentReason(consents: CaseConsentEntity[], at: Date): NotAllowedReason {
  const recorded = consents.filter((c) => c.recordedAt !== null && c.withdrawnAt === null);
  if (recorded.some((c) => c.validFrom !== null && c.validFrom.getTime() > at.getTime())) return 'consent-not-yet-valid';
  if (recorded.some((c) => c.validUntil !== null && c.validUntil.getTime() <= at.getTime())) return 'consent-expired';
  return consents.some((c) => c.withdrawnAt !== null) ? 'consent-withdrawn' : 'no-screening-consent';
}

/**
 * Reads the local case/consent read model: whether a case may be screened now, by whom.
 * Cases outside the caller's jurisdictions look unknown (their existence does not leak).
 */
@Injectable()
export class CaseRegistry {
  /** Whether `jurisdictions` (of the caller) cover the case's site or custody node. */
  visibleTo(c: CaseRecordEntity, jurisdictions: readonly string[]): boolean {
    return coversJurisdiction(jurisdictions, c.siteCode) || coversJurisdiction(jurisdictions, c.custodyNode);
  }

  /** The case, if it exists and the caller may see it. */
  async find(manager: EntityManager, caseId: string, jurisdictions: readonly string[], lock = false): Promise<CaseRecordEntity | undefined> {
    const c = await manager.getRepository(CaseRecordEntity).findOne({ where: { caseId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    return c && this.visibleTo(c, jurisdictions) ? c : undefined;
  }

  /**
   * Whether the person may be screened on the case at `at`: the case known and visible, open,
   * the person not erased, with a screening consent of theirs in force (a consent that names no
   * person counts for everyone on the case). With `lock`, the case row is locked until the
   * transaction ends, which serializes every screening write of the case.
   */
  async eligibility(manager: EntityManager, caseId: string, personId: string, jurisdictions: readonly string[], at: Date, lock = false): Promise<Eligibility> {
    const c = await this.find(manager, caseId, jurisdictions, lock);
    if (!c) return { ok: false, reason: 'case-unknown' };
    if (c.erasedAt || (await this.person(manager, personId))?.erasedAt) return { ok: false, reason: 'person-erased' };
    if (c.closedAt) return { ok: false, reason: 'case-closed' };
    const consents = await this.consentsOf(manager, caseId, personId);
    if (consents.some((x) => consentInForce(x, at))) return { ok: true, case: c };
    return { ok: false, reason: consents.length === 0 ? 'no-screening-consent' : missingConsentReason(consents, at) };
  }

  /** True when the person has a screening consent in force on the case at `at`. */
  async hasConsentInForce(manager: EntityManager, caseId: string, personId: string, at: Date): Promise<boolean> {
    return (await this.consentsOf(manager, caseId, personId)).some((x) => consentInForce(x, at));
  }

  /** What screening knows of a person from intake's events (minimized attributes only). */
  async person(manager: EntityManager, personId: string): Promise<PersonRecord | undefined> {
    const rows: PersonRecord[] = await manager.query(
      `SELECT person_id AS "personId", age_band AS "ageBand", sex, nationality, vulnerability_flags AS "vulnerabilityFlags", erased_at AS "erasedAt"
       FROM person_record WHERE person_id = $1`,
      [personId],
    );
    return rows[0];
  }

  /** The persons screening knows on a case: registered on it, or who consented to screening on it. */
  async personsOn(manager: EntityManager, caseId: string): Promise<string[]> {
    const rows: { person_id: string }[] = await manager.query(
      `SELECT person_id FROM case_member WHERE case_id = $1
       UNION SELECT person_id FROM case_consent WHERE case_id = $1 AND person_id IS NOT NULL ORDER BY person_id`,
      [caseId],
    );
    return rows.map((r) => r.person_id);
  }

  private async consentsOf(manager: EntityManager, caseId: string, personId: string): Promise<CaseConsentEntity[]> {
    return manager.getRepository(CaseConsentEntity).find({ where: [{ caseId, personId }, { caseId, personId: IsNull() }] });
  }
}

/** A person as screening knows it: never names or birth dates, only what intake's events carry. */
export interface PersonRecord {
  personId: string;
  ageBand: string;
  sex: string;
  /** ISO 3166-1 alpha-2; XX when stateless or unknown. */
  nationality: string;
  vulnerabilityFlags: string[];
  erasedAt: Date | null;
}
