import { Controller, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Topics } from '@puente/contracts';
import { type ConsumedEvent, dateOf, decodeOrPoison, type EventContext, requireUuid } from '@puente/messaging';
import { recommendedPathways, riskWord, screeningFlagWord } from '../cases/vocabulary-mapping';
import { ReferralsService } from '../referrals/referrals.service';
import { ProtectionAlerts } from './protection-alerts';
import { SuggestionsService } from './suggestions.service';

/** Screening events routing acts on. */
export const SCREENING_EVENT_TYPES = ['puente.screening.v1.ScreeningCompleted', 'puente.screening.v1.ProtectionAlertRaised'] as const;

/** Referral events that make a program's SLA record. */
export const SLA_EVENT_TYPES = ['puente.referral.v1.ReferralReceived', 'puente.referral.v1.ReferralSlaBreached'] as const;

/**
 * Routing's reactions: a completed screening updates the case's flags, risk and recommendations
 * and ranks its suggestions; an urgent protection alert gets its acknowledgement deadline;
 * referral acknowledgements and SLA breaches keep each program's SLA record.
 */
@Controller()
export class RoutingProjector {
  private readonly logger = new Logger('Routing');

  constructor(
    private readonly suggestions: SuggestionsService,
    private readonly alerts: ProtectionAlerts,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * Refers the case of an urgent alert, without waiting for a caseworker, to the best eligible
   * program of each pathway whose program says so (with an open slot). The referral service applies
   * its own rules (consent, agreement, one open referral per program); a refusal creates nothing and
   * is logged by code. Resolved at call time: the referrals module imports routing's.
   */
  private async autoRefer(tx: EventContext['manager'], caseId: string, at: Date, traceparent?: string): Promise<void> {
    const targets = await this.suggestions.autoReferralTargets(tx, caseId, at);
    const bestPerPathway = targets.filter((p, i) => targets.findIndex((q) => q.pathway === p.pathway) === i);
    if (bestPerPathway.length === 0) return;
    const referrals = this.moduleRef.get(ReferralsService, { strict: false });
    for (const program of bestPerPathway) {
      const result = await referrals.autoRefer(tx, caseId, program.id, traceparent);
      if ('refused' in result) this.logger.log({ caseId, programId: program.id, refused: result.refused }, 'urgent alert: automatic referral refused');
    }
  }

  @EventPattern(Topics.screening.name, { types: SCREENING_EVENT_TYPES })
  async onScreeningEvent(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
    const message = decodeOrPoison(event);
    switch (message.$typeName) {
      case 'puente.screening.v1.ScreeningCompleted': {
        const caseId = requireUuid(message.caseId, 'case_id');
        const screeningId = requireUuid(message.screeningId, 'screening_id');
        const completedAt = dateOf(message.completedAt, 'completed_at') ?? new Date(event.time);
        const flags = [...new Set(message.flags.map((f) => screeningFlagWord(f.flag)).filter((f) => f !== null))].sort();
        const recommended = recommendedPathways(message.recommendations.map((r) => r.pathway));
        // A case seen first through its screening gets its place from CaseOpened later (then re-ranked).
        await tx.query(`INSERT INTO routing_case (case_id, site_code, custody_node) VALUES ($1, '', 'XX') ON CONFLICT (case_id) DO NOTHING`, [caseId]);
        const updated = (await tx.query(
          `UPDATE routing_case SET screening_id = $2, screened_at = $3, screening_flags = $4, risk_level = $5, recommended = $6, updated_at = clock_timestamp()
            WHERE case_id = $1 AND (screened_at IS NULL OR screened_at <= $3) RETURNING case_id, site_code`,
          [caseId, screeningId, completedAt, flags, riskWord(message.riskLevel), JSON.stringify(recommended)],
        )) as [{ case_id: string; site_code: string }[], number];
        // An older screening arriving late changes nothing; a case without a place waits for CaseOpened.
        if (updated[0].length && updated[0][0].site_code !== '') await this.suggestions.compute(tx, caseId, screeningId, event.traceparent);
        return;
      }
      case 'puente.screening.v1.ProtectionAlertRaised': {
        requireUuid(message.caseId, 'case_id');
        if (!message.alertId) return;
        const raisedAt = dateOf(message.raisedAt, 'raised_at') ?? new Date(event.time);
        if (await this.alerts.raise(tx, message, raisedAt, riskWord(message.riskLevel) ?? 'urgent', event.traceparent)) {
          await this.autoRefer(tx, message.caseId.toLowerCase(), raisedAt, event.traceparent);
        }
        return;
      }
      default:
        return;
    }
  }

  @EventPattern(Topics.referral.name, { types: SLA_EVENT_TYPES })
  async onReferralEvent(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
    const message = decodeOrPoison(event);
    const programId =
      message.$typeName === 'puente.referral.v1.ReferralReceived' ? message.transition?.programId : message.$typeName === 'puente.referral.v1.ReferralSlaBreached' ? message.programId : undefined;
    if (!programId) return;
    const column = message.$typeName === 'puente.referral.v1.ReferralReceived' ? 'kept' : 'breached';
    await tx.query(
      `INSERT INTO routing_program_sla (program_id, ${column}) VALUES ($1, 1)
       ON CONFLICT (program_id) DO UPDATE SET ${column} = routing_program_sla.${column} + 1, updated_at = clock_timestamp()`,
      [requireUuid(programId, 'program_id')],
    );
  }
}
