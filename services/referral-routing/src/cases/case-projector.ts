import { Controller } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ConsentPurpose, Topics } from '@puente/contracts';
import { type ConsumedEvent, dateOf, decodeOrPoison, type EventContext, NonRetryableError, requireUuid } from '@puente/messaging';
import { ReferralCaseChanges } from '../referrals/referral-case-changes';
import { RoutingRetractions } from '../retractions/routing-retractions';
import { SuggestionsService } from '../routing/suggestions.service';
import { ageBandWord, intakeFlagWords, partnerTypeWord, sexWord } from './vocabulary-mapping';

/** Intake events routing's case read model is built from. */
export const INTAKE_EVENT_TYPES = [
  'puente.intake.v1.CaseOpened',
  'puente.intake.v1.CaseClosed',
  'puente.intake.v1.ConsentRecorded',
  'puente.intake.v1.ConsentWithdrawn',
  'puente.intake.v1.PersonRegistered',
  'puente.intake.v1.HouseholdChanged',
  'puente.intake.v1.PersonErased',
] as const;

const PURPOSES: Partial<Record<ConsentPurpose, string>> = {
  [ConsentPurpose.REFERRAL]: 'referral',
  [ConsentPurpose.DATA_SHARING]: 'data_sharing',
  [ConsentPurpose.CROSS_BORDER_TRANSFER]: 'cross_border_transfer',
};

/**
 * Builds routing's read model of cases from intake's events: where the case is, its minimized
 * attributes, household members (ids), and its referral, data-sharing and transfer consents.
 * Idempotent through the inbox (each event's writes commit with its inbox row). A case first seen
 * through its screening gets its place when CaseOpened arrives, and its suggestions again.
 */
@Controller()
export class CaseProjector {
  constructor(
    private readonly suggestions: SuggestionsService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * Cancels the case's open referrals that can no longer go on (case closed, person erased,
   * referral consent withdrawn), in this event's transaction. Resolved at call time: the referrals
   * module imports routing's (for these case facts), so routing cannot import it back.
   */
  private async reconcileReferrals(tx: EventContext['manager'], caseId: string, at: Date): Promise<void> {
    await this.moduleRef.get(ReferralCaseChanges, { strict: false }).reconcile(tx, caseId, at);
  }

  /** Routing's retraction notices (resolved at call time, like the referrals' case changes). */
  private get retractions(): RoutingRetractions {
    return this.moduleRef.get(RoutingRetractions, { strict: false });
  }

  @EventPattern(Topics.intakeCase.name, { types: INTAKE_EVENT_TYPES })
  async onIntakeEvent(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
    const message = decodeOrPoison(event);
    switch (message.$typeName) {
      case 'puente.intake.v1.CaseOpened': {
        const caseId = requireUuid(message.caseId, 'case_id');
        const [row] = (await tx.query(
          `INSERT INTO routing_case (case_id, site_code, custody_node, household, age_band, sex, nationality, intake_flags, opened_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (case_id) DO UPDATE SET site_code = EXCLUDED.site_code, custody_node = EXCLUDED.custody_node, household = EXCLUDED.household,
             age_band = EXCLUDED.age_band, sex = EXCLUDED.sex, nationality = EXCLUDED.nationality, intake_flags = EXCLUDED.intake_flags,
             opened_at = EXCLUDED.opened_at, updated_at = clock_timestamp()
           RETURNING screening_id`,
          [
            caseId,
            message.siteCode,
            message.custodyNode,
            message.household,
            ageBandWord(message.ageBand),
            sexWord(message.sex),
            message.nationality ? message.nationality.toUpperCase() : null,
            intakeFlagWords(message.vulnerabilityFlags),
            dateOf(message.openedAt, 'opened_at'),
          ],
        )) as { screening_id: string | null }[];
        if (row?.screening_id) await this.suggestions.compute(tx, caseId, row.screening_id, event.traceparent);
        return;
      }
      case 'puente.intake.v1.CaseClosed': {
        const caseId = requireUuid(message.caseId, 'case_id');
        const at = dateOf(message.closedAt, 'closed_at') ?? new Date(event.time);
        await tx.query(`UPDATE routing_case SET closed_at = COALESCE(closed_at, $2), updated_at = clock_timestamp() WHERE case_id = $1`, [caseId, at]);
        await this.reconcileReferrals(tx, caseId, at);
        return;
      }
      case 'puente.intake.v1.PersonRegistered': {
        // A person registered outside a case has nothing to route yet.
        if (message.caseId === '') return;
        const caseId = requireUuid(message.caseId, 'case_id');
        const personId = requireUuid(message.personId, 'person_id');
        await this.ensureCase(tx, caseId, message.siteCode);
        await tx.query(
          `INSERT INTO routing_case_person (case_id, person_id, age_band) VALUES ($1, $2, $3)
           ON CONFLICT (case_id, person_id) DO UPDATE SET age_band = EXCLUDED.age_band`,
          [caseId, personId, ageBandWord(message.ageBand)],
        );
        // The first person registered fills what CaseOpened left unspecified.
        await tx.query(
          `UPDATE routing_case SET age_band = COALESCE(age_band, $2), sex = COALESCE(sex, $3), nationality = COALESCE(nationality, $4), updated_at = clock_timestamp() WHERE case_id = $1`,
          [caseId, ageBandWord(message.ageBand), sexWord(message.sex), message.nationality ? message.nationality.toUpperCase() : null],
        );
        return;
      }
      case 'puente.intake.v1.HouseholdChanged': {
        if (message.caseId === '') return;
        const caseId = requireUuid(message.caseId, 'case_id');
        await this.ensureCase(tx, caseId, '');
        const members = message.members.map((m) => ({ personId: requireUuid(m.personId, 'members.person_id'), ageBand: ageBandWord(m.ageBand) }));
        for (const m of members) {
          await tx.query(
            `INSERT INTO routing_case_person (case_id, person_id, age_band) VALUES ($1, $2, $3) ON CONFLICT (case_id, person_id) DO UPDATE SET age_band = EXCLUDED.age_band`,
            [caseId, m.personId, m.ageBand],
          );
        }
        // Members no longer listed left the household.
        await tx.query(`DELETE FROM routing_case_person WHERE case_id = $1 AND erased_at IS NULL AND NOT (person_id = ANY ($2::uuid[]))`, [caseId, members.map((m) => m.personId)]);
        await tx.query(`UPDATE routing_case SET household = $2, updated_at = clock_timestamp() WHERE case_id = $1`, [caseId, members.length > 1]);
        return;
      }
      case 'puente.intake.v1.ConsentRecorded': {
        const purpose = PURPOSES[message.purpose];
        if (!purpose) return;
        const caseId = requireUuid(message.caseId, 'case_id');
        if (!message.consentId) throw new NonRetryableError('consent_id is empty');
        await tx.query(
          `INSERT INTO routing_consent (consent_id, case_id, purpose, partner_id, partner_type, valid_from, valid_until, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (consent_id) DO UPDATE SET case_id = EXCLUDED.case_id, purpose = EXCLUDED.purpose, partner_id = EXCLUDED.partner_id,
             partner_type = EXCLUDED.partner_type, valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until, recorded_at = EXCLUDED.recorded_at`,
          [
            message.consentId,
            caseId,
            purpose,
            message.partnerId || null,
            partnerTypeWord(message.partnerType),
            dateOf(message.validFrom, 'valid_from'),
            dateOf(message.validUntil, 'valid_until'),
            dateOf(message.recordedAt, 'recorded_at') ?? new Date(event.time),
          ],
        );
        return;
      }
      case 'puente.intake.v1.ConsentWithdrawn': {
        const purpose = PURPOSES[message.purpose];
        if (!purpose) return;
        const caseId = requireUuid(message.caseId, 'case_id');
        if (!message.consentId) throw new NonRetryableError('consent_id is empty');
        // A withdrawal seen before its recording still counts.
        await tx.query(
          `INSERT INTO routing_consent (consent_id, case_id, purpose, withdrawn_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (consent_id) DO UPDATE SET withdrawn_at = COALESCE(routing_consent.withdrawn_at, EXCLUDED.withdrawn_at)`,
          [message.consentId, caseId, purpose, dateOf(message.withdrawnAt, 'withdrawn_at') ?? new Date(event.time)],
        );
        const withdrawnAt = dateOf(message.withdrawnAt, 'withdrawn_at') ?? new Date(event.time);
        await this.reconcileReferrals(tx, caseId, withdrawnAt);
        // Every partner and node routing delivered the data to under that consent is told to let go of it.
        const personId = message.personId ? requireUuid(message.personId, 'person_id') : null;
        await this.retractions.afterConsentWithdrawn(tx, { caseId, personId, purpose, at: withdrawnAt, traceparent: event.traceparent });
        return;
      }
      case 'puente.intake.v1.PersonErased': {
        const at = dateOf(message.erasedAt, 'erased_at') ?? new Date(event.time);
        if (message.caseId === '') {
          if (message.personId) await this.retractions.retract(tx, { personId: requireUuid(message.personId, 'person_id'), caseId: null, cause: 'person-erased', at, traceparent: event.traceparent });
          return;
        }
        const caseId = requireUuid(message.caseId, 'case_id');
        if (message.personId) await tx.query(`UPDATE routing_case_person SET erased_at = COALESCE(erased_at, $3) WHERE case_id = $1 AND person_id = $2`, [caseId, requireUuid(message.personId, 'person_id'), at]);
        // Like screening: the case of an erased person is erased for routing (no more suggestions or referrals).
        await tx.query(`UPDATE routing_case SET erased_at = COALESCE(erased_at, $2), updated_at = clock_timestamp() WHERE case_id = $1`, [caseId, at]);
        await tx.query(`DELETE FROM routing_suggestion WHERE case_id = $1`, [caseId]);
        await this.reconcileReferrals(tx, caseId, at);
        // Every partner and node routing delivered the person's data to is told to delete it.
        await this.retractions.afterErasure(tx, { caseId, personId: message.personId ? requireUuid(message.personId, 'person_id') : null, at, traceparent: event.traceparent });
        return;
      }
      default:
        return;
    }
  }

  /** A row for a case first seen through a person or household event (CaseOpened fills the rest). */
  private async ensureCase(tx: EventContext['manager'], caseId: string, siteCode: string): Promise<void> {
    await tx.query(`INSERT INTO routing_case (case_id, site_code, custody_node) VALUES ($1, $2, $3) ON CONFLICT (case_id) DO NOTHING`, [caseId, siteCode, siteCode.slice(0, 2) || 'XX']);
  }
}
