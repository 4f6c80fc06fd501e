import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  AgeBand,
  CaseCloseReason,
  ConsentPurpose,
  isNationalityCode,
  Sex,
  Topics,
  VulnerabilityFlag,
} from '@puente/contracts';
import { type ConsumedEvent, dateOf, decodeOrPoison, type EventContext, NonRetryableError, OutboxWriter, requireUuid, timeOf } from '@puente/messaging';
import { ServiceConfig } from '@puente/platform';
import { PersonVault } from '@puente/privacy';
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
  'puente.intake.v1.PersonRegistered',
  'puente.intake.v1.PersonUpdated',
] as const;

/**
 * A person's minimized attributes as stored (REST spellings); a poison event for a nationality that
 * is not ISO 3166-1 alpha-2. An age band or sex this build does not know yet (a newer intake's enum
 * value) is stored as unknown / undisclosed rather than failing the event forever.
 */
export function attributesOf(m: { personId: string; ageBand: AgeBand; sex: Sex; nationality: string; vulnerabilityFlags: VulnerabilityFlag[] }) {
  if (!isNationalityCode(m.nationality)) throw new NonRetryableError('nationality is not ISO 3166-1 alpha-2 (or XX)');
  return {
    personId: requireUuid(m.personId, 'person_id'),
    ageBand: m.ageBand === AgeBand.UNSPECIFIED || AgeBand[m.ageBand] === undefined ? 'unknown' : AgeBand[m.ageBand].toLowerCase(),
    sex: m.sex === Sex.UNSPECIFIED || Sex[m.sex] === undefined ? 'undisclosed' : Sex[m.sex].toLowerCase(),
    nationality: m.nationality,
    flags: m.vulnerabilityFlags.filter((f) => f !== VulnerabilityFlag.UNSPECIFIED && VulnerabilityFlag[f] !== undefined).map((f) => VulnerabilityFlag[f].toLowerCase()),
  };
}

/**
 * Builds the local read model of cases and screening consents from intake's events, and applies
 * their consequences to open screenings: a withdrawn consent (with no other of that person in
 * force), a closed case or an erased person cancels them; an erasure also shreds the person's
 * data key (crypto-shredding their answers). Persons (PersonRegistered, PersonUpdated) bring the
 * age band, sex, nationality and flags screening shows instead of asking them again. Idempotent through
 * the inbox (the consumer records each event id with these writes, in one transaction).
 */
@Controller()
export class CaseRegistryProjector {
  private readonly logger = new Logger('CaseRegistry');

  constructor(
    private readonly outbox: OutboxWriter,
    private readonly registry: CaseRegistry,
    private readonly config: ServiceConfig,
    private readonly vault: PersonVault,
  ) {}

  private get system(): EventActor {
    return { clientId: 'system', partnerId: '', node: this.config.PUENTE_NODE };
  }

  @EventPattern(Topics.intakeCase.name, { types: INTAKE_EVENT_TYPES })
  async onIntakeEvent(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
    const message = decodeOrPoison(event);
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
        await cancelOpenScreenings(tx, this.outbox, { caseId }, 'case_closed', at, this.system, event.traceparent);
        return;
      }
      case 'puente.intake.v1.ConsentRecorded': {
        if (message.purpose !== ConsentPurpose.SCREENING) return;
        const caseId = requireUuid(message.caseId, 'case_id');
        if (!message.consentId) throw new NonRetryableError('consent_id is empty');
        await tx.query(
          `INSERT INTO case_consent (consent_id, case_id, person_id, valid_from, valid_until, recorded_at)
           VALUES ($1, $2, $6, $3, $4, $5)
           ON CONFLICT (consent_id) DO UPDATE SET case_id = EXCLUDED.case_id, person_id = EXCLUDED.person_id, valid_from = EXCLUDED.valid_from,
             valid_until = EXCLUDED.valid_until, recorded_at = EXCLUDED.recorded_at, updated_at = clock_timestamp()`,
          [
            message.consentId,
            caseId,
            dateOf(message.validFrom, 'valid_from'),
            dateOf(message.validUntil, 'valid_until'),
            timeOf(message.recordedAt, 'recorded_at', event.time),
            message.personId === '' ? null : requireUuid(message.personId, 'person_id'),
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
        const [{ person_id: personId }]: { person_id: string | null }[] = await tx.query(
          `INSERT INTO case_consent (consent_id, case_id, person_id, withdrawn_at) VALUES ($1, $2, $4, $3)
           ON CONFLICT (consent_id) DO UPDATE SET withdrawn_at = COALESCE(case_consent.withdrawn_at, EXCLUDED.withdrawn_at), updated_at = clock_timestamp()
           RETURNING person_id`,
          [message.consentId, caseId, at, message.personId === '' ? null : requireUuid(message.personId, 'person_id')],
        );
        // Whose screenings stop: the consenting person's, or everyone's on the case for a consent that named no one.
        const persons = personId ? [personId] : await this.registry.personsOn(tx, caseId);
        for (const person of persons) {
          if (await this.registry.hasConsentInForce(tx, caseId, person, at)) continue;
          const cancelled = await cancelOpenScreenings(tx, this.outbox, { personId: person }, 'consent_withdrawn', at, this.system, event.traceparent);
          if (cancelled.length > 0) this.logger.log({ caseId, screenings: cancelled.length }, 'screening consent withdrawn: open screenings cancelled');
        }
        return;
      }
      case 'puente.intake.v1.PersonErased': {
        const personId = requireUuid(message.personId, 'person_id');
        const at = timeOf(message.erasedAt, 'erased_at', event.time);
        // Crypto-shredding: the person's data key goes, so every copy of their answers is unreadable.
        // One PersonErased comes per case the person is on; the first one shreds.
        await this.vault.shredOnce(personId, tx);
        await tx.query(`UPDATE person_record SET erased_at = COALESCE(erased_at, $2), updated_at = clock_timestamp() WHERE person_id = $1`, [personId, at]);
        await cancelOpenScreenings(tx, this.outbox, { personId }, 'person_erased', at, this.system, event.traceparent);
        const erased = await eraseScreeningAnswers(tx, personId, at);
        this.logger.log({ screenings: erased }, 'person erased: screening answers shredded');
        return;
      }
      case 'puente.intake.v1.PersonRegistered':
      case 'puente.intake.v1.PersonUpdated': {
        const p = attributesOf(message);
        // Updates may arrive once per case the person is on: the latest attributes win, the same either way.
        await tx.query(
          `INSERT INTO person_record (person_id, age_band, sex, nationality, vulnerability_flags) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (person_id) DO UPDATE SET age_band = EXCLUDED.age_band, sex = EXCLUDED.sex, nationality = EXCLUDED.nationality,
             vulnerability_flags = EXCLUDED.vulnerability_flags, updated_at = clock_timestamp()`,
          [p.personId, p.ageBand, p.sex, p.nationality, p.flags],
        );
        const caseIds = message.$typeName === 'puente.intake.v1.PersonRegistered' ? [message.caseId] : [message.caseId, ...message.caseIds];
        await tx.query(
          `INSERT INTO case_member (case_id, person_id) SELECT DISTINCT c, $1::uuid FROM unnest($2::uuid[]) AS c ON CONFLICT DO NOTHING`,
          [p.personId, caseIds.filter((c) => c !== '').map((c) => requireUuid(c, 'case_id'))],
        );
        return;
      }
      default:
        return;
    }
  }
}
