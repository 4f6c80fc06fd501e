import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AgeBand, ConsentPurpose, Sex, Topics, VulnerabilityFlag } from '@puente/contracts';
import { type ConsumedEvent, dateOf, decodeOrPoison, type EventContext, NonRetryableError, requireUuid, timeOf } from '@puente/messaging';
import { ServiceConfig } from '@puente/platform';
import { PersonVault } from '@puente/privacy';
import { PersonRegistry } from './registry.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Intake events the read model is built from. */
export const INTAKE_EVENT_TYPES = [
  'puente.intake.v1.ConsentRecorded',
  'puente.intake.v1.ConsentWithdrawn',
  'puente.intake.v1.PersonRegistered',
  'puente.intake.v1.PersonUpdated',
  'puente.intake.v1.PersonErased',
  'puente.intake.v1.PossibleDuplicateFound',
] as const;

/**
 * Builds the local read model of reintegration_support consents and persons from intake's
 * events. An erasure shreds the person's data key here (crypto-shredding whatever a feature
 * keeps under it) and then lets the features erase what they hold; a withdrawal that leaves the
 * person without a consent in force lets them stop. Idempotent through the inbox.
 */
@Controller()
export class RegistryProjector {
  private readonly logger = new Logger('PersonRegistry');

  constructor(
    private readonly registry: PersonRegistry,
    private readonly vault: PersonVault,
    private readonly config: ServiceConfig,
  ) {}

  @EventPattern(Topics.intakeCase.name, { types: INTAKE_EVENT_TYPES })
  async onIntakeEvent(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
    const message = decodeOrPoison(event);
    switch (message.$typeName) {
      case 'puente.intake.v1.ConsentRecorded': {
        if (message.purpose !== ConsentPurpose.REINTEGRATION_SUPPORT) return;
        if (!message.consentId) throw new NonRetryableError('consent_id is empty');
        await tx.query(
          `INSERT INTO reintegration_consent (consent_id, case_id, person_id, valid_from, valid_until, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (consent_id) DO UPDATE SET case_id = EXCLUDED.case_id, person_id = EXCLUDED.person_id, valid_from = EXCLUDED.valid_from,
             valid_until = EXCLUDED.valid_until, recorded_at = EXCLUDED.recorded_at, updated_at = clock_timestamp()`,
          [
            message.consentId,
            requireUuid(message.caseId, 'case_id'),
            message.personId === '' ? null : requireUuid(message.personId, 'person_id'),
            dateOf(message.validFrom, 'valid_from'),
            dateOf(message.validUntil, 'valid_until'),
            timeOf(message.recordedAt, 'recorded_at', event.time),
          ],
        );
        // A consent naming no person covers everyone on the case.
        const caseId = requireUuid(message.caseId, 'case_id');
        const persons = message.personId === '' ? await this.registry.personsOn(tx, caseId) : [requireUuid(message.personId, 'person_id')];
        const at = timeOf(message.recordedAt, 'recorded_at', event.time);
        for (const personId of persons) await this.registry.consentRecorded(tx, { personId, caseId, at, traceparent: event.traceparent });
        return;
      }
      case 'puente.intake.v1.ConsentWithdrawn': {
        if (message.purpose !== ConsentPurpose.REINTEGRATION_SUPPORT) return;
        if (!message.consentId) throw new NonRetryableError('consent_id is empty');
        const caseId = requireUuid(message.caseId, 'case_id');
        const at = timeOf(message.withdrawnAt, 'withdrawn_at', event.time);
        // A withdrawal seen before its recording still counts.
        const [{ person_id: personId }]: { person_id: string | null }[] = await tx.query(
          `INSERT INTO reintegration_consent (consent_id, case_id, person_id, withdrawn_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (consent_id) DO UPDATE SET withdrawn_at = COALESCE(reintegration_consent.withdrawn_at, EXCLUDED.withdrawn_at), updated_at = clock_timestamp()
           RETURNING person_id`,
          [message.consentId, caseId, message.personId === '' ? null : requireUuid(message.personId, 'person_id'), at],
        );
        const persons = personId ? [personId] : await this.registry.personsOn(tx, caseId);
        for (const person of persons) {
          if ((await this.registry.consentGap(tx, caseId, person, at)) === null) continue;
          await this.registry.consentEnded(tx, { personId: person, caseId, at, traceparent: event.traceparent });
        }
        return;
      }
      case 'puente.intake.v1.PersonRegistered':
      case 'puente.intake.v1.PersonUpdated': {
        const personId = requireUuid(message.personId, 'person_id');
        const ageBand = message.ageBand === AgeBand.UNSPECIFIED || AgeBand[message.ageBand] === undefined ? 'unknown' : AgeBand[message.ageBand].toLowerCase();
        const sex = message.sex === Sex.UNSPECIFIED || Sex[message.sex] === undefined ? 'undisclosed' : Sex[message.sex].toLowerCase();
        // Nationality and flags are what the border reads (the protection block of an assisted return).
        const nationality = /^[A-Z]{2}$/.test(message.nationality) && message.nationality !== 'XX' ? message.nationality : null;
        const flags = message.vulnerabilityFlags.filter((f) => f !== VulnerabilityFlag.UNSPECIFIED && VulnerabilityFlag[f] !== undefined).map((f) => VulnerabilityFlag[f].toLowerCase());
        await tx.query(
          `INSERT INTO person_record (person_id, age_band, sex, nationality, vulnerability_flags) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (person_id) DO UPDATE SET age_band = EXCLUDED.age_band, sex = EXCLUDED.sex, nationality = EXCLUDED.nationality,
             vulnerability_flags = EXCLUDED.vulnerability_flags, updated_at = clock_timestamp()
           WHERE person_record.erased_at IS NULL`,
          [personId, ageBand, sex, nationality, [...new Set(flags)].sort()],
        );
        const caseIds = message.$typeName === 'puente.intake.v1.PersonRegistered' ? [message.caseId] : [message.caseId, ...message.caseIds];
        await tx.query(`INSERT INTO case_member (case_id, person_id) SELECT DISTINCT c, $1::uuid FROM unnest($2::uuid[]) AS c ON CONFLICT DO NOTHING`, [
          personId,
          caseIds.filter((c) => c !== '').map((c) => requireUuid(c, 'case_id')),
        ]);
        return;
      }
      case 'puente.intake.v1.PersonErased': {
        const personId = requireUuid(message.personId, 'person_id');
        const caseId = message.caseId === '' ? '' : requireUuid(message.caseId, 'case_id');
        const at = timeOf(message.erasedAt, 'erased_at', event.time);
        // One PersonErased comes per case the person is on; the first one shreds.
        await this.vault.shredOnce(personId, tx);
        await tx.query(
          `INSERT INTO person_record (person_id, erased_at) VALUES ($1, $2)
           ON CONFLICT (person_id) DO UPDATE SET erased_at = COALESCE(person_record.erased_at, EXCLUDED.erased_at), age_band = NULL, sex = NULL, nationality = NULL, vulnerability_flags = '{}', updated_at = clock_timestamp()`,
          [personId, at],
        );
        await this.registry.personErased(tx, { personId, caseId, at, traceparent: event.traceparent });
        this.logger.log('person erased: reintegration data shredded');
        return;
      }
      case 'puente.intake.v1.PossibleDuplicateFound': {
        // A registration whose match keys coincide with an earlier person's: at this node the
        // other record is a local person id; from another node (its match keys received here) the
        // local person is person_id and the other an opaque reference there.
        const personId = requireUuid(message.personId, 'person_id');
        const seenAtNode = /^[A-Z]{2}$/.test(message.otherNode) ? message.otherNode : null;
        if (!seenAtNode) throw new NonRetryableError('other_node is not a node code');
        const local = seenAtNode === this.config.PUENTE_NODE;
        const personIds = local && UUID.test(message.otherReference) ? [personId, message.otherReference] : [personId];
        await this.registry.personSeenAgain(tx, {
          personIds,
          seenAtNode,
          duplicateId: message.duplicateId,
          at: timeOf(message.foundAt, 'found_at', event.time),
          traceparent: event.traceparent,
        });
        return;
      }
      default:
        return;
    }
  }
}
