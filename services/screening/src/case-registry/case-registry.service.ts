import { Injectable } from '@nestjs/common';
import { coversJurisdiction } from '@puente/auth';
import type { EntityManager } from 'typeorm';
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
   * Whether the case may be screened at `at`: known and visible, open, not erased, with a
   * screening consent in force. With `lock`, the case row is locked until the transaction ends,
   * which serializes every screening write of the case.
   */
  async eligibility(manager: EntityManager, caseId: string, jurisdictions: readonly string[], at: Date, lock = false): Promise<Eligibility> {
    const c = await this.find(manager, caseId, jurisdictions, lock);
    if (!c) return { ok: false, reason: 'case-unknown' };
    if (c.erasedAt) return { ok: false, reason: 'person-erased' };
    if (c.closedAt) return { ok: false, reason: 'case-closed' };
    const consents = await manager.getRepository(CaseConsentEntity).find({ where: { caseId } });
    if (consents.some((x) => consentInForce(x, at))) return { ok: true, case: c };
    return { ok: false, reason: consents.length === 0 ? 'no-screening-consent' : missingConsentReason(consents, at) };
  }

  /** True when the case has a screening consent in force at `at`. */
  async hasConsentInForce(manager: EntityManager, caseId: string, at: Date): Promise<boolean> {
    const consents = await manager.getRepository(CaseConsentEntity).find({ where: { caseId } });
    return consents.some((x) => consentInForce(x, at));
  }
}
