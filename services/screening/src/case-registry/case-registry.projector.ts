import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  CaseCloseReason,
  ConsentPurpose,
  decodeEvent,
  fromTimestamp,
  type PuenteEvent,
  Topics,
} from '@puente/contracts';
import { type ConsumedEvent, type EventContext, NonRetryableError, OutboxWriter } from '@puente/messaging';
import { ServiceConfig } from '@puente/platform';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { cancelOpenScreenings, eraseScreeningAnswers } from '../screenings/screening-cancellation';
import type { EventActor } from '../screenings/screening-events';
import { CaseRegistry } from './case-registry.service';

/** Intake events the read model is built from. */
export const INTAKE_EVENT_TYPES = [
  'puente.intake.v1.CaseOpened',
  'puente.intake.v1.CaseClosed',
  'puente.intake.v1.ConsentRecorded',
  'puente.intake.v1.ConsentWithdrawn',
  'puente.intake.v1.PersonErased',
] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requireUuid(value: string, field: string): string {
  if (!UUID.test(value)) throw new NonRetryableError(`${field} is not a UUID`);
  return value.toLowerCase();
}

/** A Timestamp as a Date PostgreSQL accepts; a poison event (NonRetryableError) otherwise. */
function dateOf(ts: Timestamp | undefined, field: string): Date | null {
  if (!ts) return null;
  const date = fromTimestamp(ts);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1900 || date.getUTCFullYear() > 9999) throw new NonRetryableError(`${field} is out of range`);
  return date;
}

function timeOf(ts: Timestamp | undefined, field: string, fallback: string): Date {
  const date = dateOf(ts, field);
  if (date) return date;
  const parsed = new Date(fallback);
  return Number.isNaN(parsed.getTime()) ? new Date() : parsed;
}

/**
 * Builds the local read model of cases and screening consents from intake's events, and applies
 * their consequences to open screenings: a withdrawn consent (with no other in force), a closed
 * case or an erased person cancels them; an erasure also erases the answers. Idempotent through
 * the inbox (the consumer records each event id with these writes, in one transaction).
 */
@Controller()
export class CaseRegistryProjector {
  private readonly logger = new Logger('CaseRegistry');

  constructor(
    private readonly outbox: OutboxWriter,
    private readonly registry: CaseRegistry,
    private readonly config: ServiceConfig,
  ) {}

  private get system(): EventActor {
    return { clientId: 'system', partnerId: '', node: this.config.PUENTE_NODE };
  }

  @EventPattern(Topics.intakeCase.name, { types: INTAKE_EVENT_TYPES })
  async onIntakeEvent(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
    let message: PuenteEvent;
    try {
      message = decodeEvent(event.type, event.payload);
    } catch (error) {
      throw new NonRetryableError(`cannot decode ${event.type}: ${(error as Error).message}`, { cause: error });
    }
    switch (message.$typeName) {
      case 'puente.intake.v1.CaseOpened': {
        const caseId = requireUuid(message.caseId, 'case_id');
        await tx.query(
          // A case first known from a reception protection concern becomes intake's case here.
          `INSERT INTO case_record (case_id, reference, site_code, custody_node, opened_at, known_from)
           VALUES ($1, $2, $3, $4, $5, 'intake')
           ON CONFLICT (case_id) DO UPDATE SET reference = EXCLUDED.reference, site_code = EXCLUDED.site_code,
             custody_node = EXCLUDED.custody_node, opened_at = EXCLUDED.opened_at, known_from = 'intake', updated_at = clock_timestamp()`,
          [caseId, message.reference, message.siteCode, message.custodyNode, dateOf(message.openedAt, 'opened_at')],
        );
        return;
      }
      case 'puente.intake.v1.CaseClosed': {
        const caseId = requireUuid(message.caseId, 'case_id');
        const at = timeOf(message.closedAt, 'closed_at', event.time);
        await tx.query(`UPDATE case_record SET closed_at = $2, close_reason = $3, updated_at = clock_timestamp() WHERE case_id = $1`, [
          caseId,
          at,
          (CaseCloseReason[message.reason] ?? 'UNSPECIFIED').toLowerCase(),
        ]);
        await cancelOpenScreenings(tx, this.outbox, caseId, 'case_closed', at, this.system, event.traceparent);
        return;
      }
      case 'puente.intake.v1.ConsentRecorded': {
        if (message.purpose !== ConsentPurpose.SCREENING) return;
        const caseId = requireUuid(message.caseId, 'case_id');
        if (!message.consentId) throw new NonRetryableError('consent_id is empty');
        await tx.query(
          `INSERT INTO case_consent (consent_id, case_id, valid_from, valid_until, recorded_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (consent_id) DO UPDATE SET case_id = EXCLUDED.case_id, valid_from = EXCLUDED.valid_from,
             valid_until = EXCLUDED.valid_until, recorded_at = EXCLUDED.recorded_at, updated_at = clock_timestamp()`,
          [
            message.consentId,
            caseId,
            dateOf(message.validFrom, 'valid_from'),
            dateOf(message.validUntil, 'valid_until'),
            timeOf(message.recordedAt, 'recorded_at', event.time),
          ],
        );
        return;
      }
      case 'puente.intake.v1.ConsentWithdrawn': {
        if (message.purpose !== ConsentPurpose.SCREENING) return;
        const caseId = requireUuid(message.caseId, 'case_id');
        if (!message.consentId) throw new NonRetryableError('consent_id is empty');
        const at = timeOf(message.withdrawnAt, 'withdrawn_at', event.time);
        // Serialize with the API's writes to this case (they lock the case row first, too).
        await tx.query(`SELECT 1 FROM case_record WHERE case_id = $1 FOR UPDATE`, [caseId]);
        // A withdrawal seen before its recording (should not happen on one ordered topic) still counts.
        await tx.query(
          `INSERT INTO case_consent (consent_id, case_id, withdrawn_at) VALUES ($1, $2, $3)
           ON CONFLICT (consent_id) DO UPDATE SET withdrawn_at = COALESCE(case_consent.withdrawn_at, EXCLUDED.withdrawn_at), updated_at = clock_timestamp()`,
          [message.consentId, caseId, at],
        );
        if (!(await this.registry.hasConsentInForce(tx, caseId, at))) {
          const cancelled = await cancelOpenScreenings(tx, this.outbox, caseId, 'consent_withdrawn', at, this.system, event.traceparent);
          if (cancelled.length > 0) this.logger.log({ caseId, screenings: cancelled.length }, 'screening consent withdrawn: open screenings cancelled');
        }
        return;
      }
      case 'puente.intake.v1.PersonErased': {
        // An erased person without a case has nothing in screening.
        if (message.caseId === '') return;
        const caseId = requireUuid(message.caseId, 'case_id');
        const at = timeOf(message.erasedAt, 'erased_at', event.time);
        await tx.query(`UPDATE case_record SET erased_at = COALESCE(erased_at, $2), updated_at = clock_timestamp() WHERE case_id = $1`, [caseId, at]);
        await cancelOpenScreenings(tx, this.outbox, caseId, 'person_erased', at, this.system, event.traceparent);
        const erased = await eraseScreeningAnswers(tx, caseId, at);
        this.logger.log({ caseId, screenings: erased }, 'person erased: screening answers erased');
        return;
      }
      default:
        return;
    }
  }
}
