import { Injectable } from '@nestjs/common';
import { AuditLog, type Caller } from '@puente/audit';
import { assertJurisdiction, resourceNotFound } from '@puente/auth';
import { MatchKeysWithdrawalReason, PersonErasedSchema, toTimestamp } from '@puente/contracts';
import { assertIfMatch, assertVersionUpdated, computeEtag } from '@puente/platform';
import { AlreadyErasedError, PersonErasedError, PersonVault } from '@puente/privacy';
import { DataSource, type EntityManager } from 'typeorm';
import { actorOf } from '../common/actor';
import { privacyProblem, purposeFrom, rethrowPrivacy } from '../common/problems';
import { IntakeConfig } from '../config/intake.config';
import { DuplicateDetector } from '../duplicates/duplicate-detector';
import { MatchKeyPublication } from '../duplicates/match-key-publication';
import { event, type IntakeEvent, IntakeEvents } from '../events/intake-events';
import { RetractionNotices } from '../retractions/retraction-notices';
import { ageBandOf, ageInYears } from './age';
import type { ErasureDto, PersonDto, PersonSummaryDto, UpdatePersonDto } from './person.dto';
import { Person } from './person.entity';
import { personUpdated } from './person-events';
import { applyPersonalDataPatch, matchIdentityOf, toPersonDto, toPersonSummary } from './person-mapping';
import { decryptPersonalData, encryptPersonalData, type PersonalData } from './personal-data';

export function personEtag(person: Pick<Person, 'id' | 'version'>): string {
  return computeEtag({ id: person.id, version: person.version });
}

/** Reading (audited, with a purpose), correcting (If-Match) and erasing (crypto-shredding) a person. */
@Injectable()
export class PersonRecordsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: PersonVault,
    private readonly detector: DuplicateDetector,
    private readonly events: IntakeEvents,
    private readonly audit: AuditLog,
    private readonly config: IntakeConfig,
    private readonly matchKeys: MatchKeyPublication,
    private readonly retractions: RetractionNotices,
  ) {}

  /** Non-personal view; works after erasure too. */
  async summary(caller: Caller, personId: string): Promise<PersonSummaryDto> {
    const person = await this.visible(this.dataSource.manager, caller, personId);
    return toPersonSummary(person, await this.caseIdsOf(this.dataSource.manager, personId));
  }

  /** Decrypted identity (the caller audits it with its purpose). 410 once erased. */
  async read(caller: Caller, personId: string): Promise<PersonDto> {
    const person = await this.visible(this.dataSource.manager, caller, personId);
    // The erasure mark is checked first: another replica's key cache may outlive a shred by its TTL.
    if (person.erasedAt) throw privacyProblem(new PersonErasedError(person.id, person.erasedAt));
    const data = await decryptPersonalData(this.vault, person).catch(rethrowPrivacy);
    if ('erased' in data) throw privacyProblem(new PersonErasedError(person.id, data.erasedAt));
    return toPersonDto(person, await this.caseIdsOf(this.dataSource.manager, personId), data);
  }

  async update(caller: Caller, personId: string, dto: UpdatePersonDto): Promise<PersonDto> {
    const purpose = purposeFrom(caller.request, this.audit);
    const node = this.config.PUENTE_NODE;
    return this.dataSource
      .transaction(async (tx) => {
        const person = await this.visible(tx, caller, personId, true);
        if (person.erasedAt) throw privacyProblem(new PersonErasedError(person.id, person.erasedAt));
        assertIfMatch(caller.request, personEtag(person));
        const current = await decryptPersonalData(this.vault, person, tx);
        if ('erased' in current) throw privacyProblem(new PersonErasedError(person.id, current.erasedAt));
        const data: PersonalData = applyPersonalDataPatch(current, dto);
        const now = new Date();
        const nationality = dto.nationality ?? person.nationality;
        const changes: Partial<Person> = {
          ...(await encryptPersonalData(this.vault, person.id, data, tx)),
          sex: dto.sex ?? person.sex,
          nationality,
          ageBand: ageBandOf(ageInYears(data.birthDate, now)),
          vulnerabilityFlags: dto.vulnerabilityFlags === undefined ? person.vulnerabilityFlags : (dto.vulnerabilityFlags ?? []),
          interpreterNeeded: data.languages.some((l) => l.interpreterNeeded),
          updatedAt: now,
        };
        assertVersionUpdated(
          await tx
            .createQueryBuilder()
            .update(Person)
            .set({ ...changes, version: () => 'version + 1' })
            .where('id = :id AND version = :version', { id: person.id, version: person.version })
            .execute(),
        );

        const caseIds = await this.caseIdsOf(tx, person.id);
        const updated = await tx.findOneByOrFail(Person, { id: person.id });
        const actor = actorOf(caller.principal, node);
        const events: IntakeEvent[] = caseIds.map((caseId) => personUpdated(updated, caseId, caseIds, actor));
        const identityChanged =
          data.givenNames !== current.givenNames ||
          data.familyNames !== current.familyNames ||
          data.birthDate !== current.birthDate ||
          data.birthDateEstimated !== current.birthDateEstimated ||
          nationality !== person.nationality;
        if (identityChanged) {
          const keys = this.detector.keysOf(matchIdentityOf(data, nationality));
          await this.detector.storeKeys(tx, person.id, keys);
          const candidates = await this.detector.candidates(tx, keys, { excludePersonId: person.id });
          if (caseIds.length > 0) events.push(...(await this.detector.record(tx, { personId: person.id, caseId: caseIds[0] }, keys, candidates, now)).events);
          events.push(...(await this.matchKeys.afterKeysChanged(tx, person.id, keys, now)));
        }
        await this.events.append(tx, caller.traceparent, events, now);
        await this.audit.append(tx, {
          actor: caller.auditActor,
          requestId: caller.requestId,
          traceparent: caller.traceparent,
          action: 'person.update',
          objectType: 'person',
          objectId: person.id,
          purpose,
          occurredAt: now,
        });
        return toPersonDto(updated, caseIds, data);
      })
      .catch(rethrowPrivacy);
  }

  /**
   * Crypto-shreds the person: the data key is destroyed (every copy of the ciphertexts becomes
   * unreadable), match keys are deleted here and withdrawn from partners, and each of the
   * person's cases gets a PersonErased event; cases keep their non-personal history.
   */
  async erase(caller: Caller, personId: string): Promise<ErasureDto> {
    const node = this.config.PUENTE_NODE;
    return this.dataSource
      .transaction(async (tx) => {
        const person = await this.visible(tx, caller, personId, true);
        if (person.erasedAt) throw privacyProblem(new AlreadyErasedError(person.id, person.erasedAt));
        const receipt = await this.vault.shred(person.id, tx);
        const erasedAt = receipt.erasedAt;
        await tx.query('DELETE FROM person_match_key WHERE person_id = $1', [person.id]);
        await tx
          .createQueryBuilder()
          .update(Person)
          .set({ erasedAt, updatedAt: erasedAt, version: () => 'version + 1' })
          .where('id = :id', { id: person.id })
          .execute();
        const caseIds = await this.caseIdsOf(tx, person.id);
        const actor = actorOf(caller.principal, node);
        await this.events.append(
          tx,
          caller.traceparent,
          [
            ...caseIds.map((caseId) => event(PersonErasedSchema, { personId: person.id, caseId, erasedAt: toTimestamp(erasedAt), erasedBy: actor }, caseId)),
            this.matchKeys.withdrawn(person.id, MatchKeysWithdrawalReason.PERSON_ERASED, erasedAt),
            // A notice to every partner and node that received the person's data (the delivery ledger).
            ...(await this.retractions.retract(tx, { personId: person.id, caseId: caseIds[0] ?? null, cause: 'person-erased', at: erasedAt })),
          ],
          erasedAt,
        );
        await this.audit.append(tx, {
          actor: caller.auditActor,
          requestId: caller.requestId,
          traceparent: caller.traceparent,
          action: 'person.erase',
          objectType: 'person',
          objectId: person.id,
          purpose: 'erasure',
          occurredAt: erasedAt,
        });
        return { personId: person.id, erasedAt: erasedAt.toISOString(), caseIds };
      })
      .catch(rethrowPrivacy);
  }

  /** The person if the caller's jurisdictions cover the site that registered them; else 404. */
  private async visible(db: EntityManager, caller: Caller, personId: string, lock = false): Promise<Person> {
    const person = await db.findOne(Person, { where: { id: personId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!person) throw resourceNotFound('person');
    assertJurisdiction(caller.principal, person.siteCode, { hideAs: 'person' });
    return person;
  }

  /** Cases the person is on, oldest first (the first is the case they were registered on). */
  async caseIdsOf(db: EntityManager, personId: string): Promise<string[]> {
    const rows: { case_id: string }[] = await db.query('SELECT case_id FROM case_person WHERE person_id = $1 ORDER BY added_at, case_id', [personId]);
    return rows.map((r) => r.case_id);
  }
}

