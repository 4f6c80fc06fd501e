import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DirectoryService } from '../directory/directory.service';
import { ReferralCaseFacts } from './case-facts';
import { ReferralLifecycle, SYSTEM } from './referral-lifecycle';
import { ACTION_RULES } from './referral-state-machine';
import { ReferralEntity } from './referral.entities';

/**
 * Keeps a case's open referrals in step with the case: when the person is erased, the case
 * closes, or the referral consent for a partner is withdrawn, the referrals that may no longer
 * go on are cancelled by the system (with the coded reason, an event, the slot released and the
 * partner told). Call it in the transaction that updated the case read model; it is idempotent.
 */
@Injectable()
export class ReferralCaseChanges {
  constructor(
    private readonly cases: ReferralCaseFacts,
    private readonly lifecycle: ReferralLifecycle,
    private readonly directory: DirectoryService,
  ) {}

  /** Returns the ids of the referrals it cancelled. */
  async reconcile(tx: EntityManager, caseId: string, at: Date = new Date()): Promise<string[]> {
    const cancellable = ACTION_RULES.cancel.from as readonly string[];
    const open = (await tx.getRepository(ReferralEntity).find({ where: { caseId }, order: { createdAt: 'ASC' } })).filter((r) => cancellable.includes(r.status));
    if (open.length === 0) return [];
    const facts = await this.cases.find(tx, caseId);
    const cancelled: string[] = [];
    for (const candidate of open) {
      let reason: 'person_erased' | 'case_closed' | 'consent_withdrawn' | null = null;
      if (!facts || facts.erased) reason = 'person_erased';
      else if (facts.closed) reason = 'case_closed';
      else {
        const partner = await this.directory.findPartner(candidate.partnerId, tx);
        if (!partner || !(await this.cases.consentsFor(tx, caseId, partner, at)).referral) reason = 'consent_withdrawn';
      }
      if (!reason) continue;
      const r = await this.lifecycle.lock(tx, candidate.id);
      if (!r || !cancellable.includes(r.status)) continue;
      await this.lifecycle.apply(tx, r, { action: 'cancel', reason }, SYSTEM);
      cancelled.push(r.id);
    }
    return cancelled;
  }
}
