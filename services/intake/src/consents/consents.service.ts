import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { assertJurisdiction, resourceNotFound } from '@puente/auth';
import { type Page, paginate, validationProblem } from '@puente/platform';
import { PersonErasedError, PersonVault } from '@puente/privacy';
import { AuditLog, type Caller } from '@puente/audit';
import { DataSource, type EntityManager } from 'typeorm';
import { CaseOpener, caseNotFound } from '../cases/case-opener';
import { IntakeCase } from '../cases/case.entity';
import { acceptsChanges } from '../cases/case-status';
import { actorOf } from '../common/actor';
import { auditAgeDerivation } from '../persons/age-derivation-audit';
import { fieldProblem, illegalTransition, privacyProblem, rethrowPrivacy, unknownReference } from '../common/problems';
import { IntakeConfig } from '../config/intake.config';
import { MatchKeyPublication } from '../duplicates/match-key-publication';
import { IntakeEvents } from '../events/intake-events';
import { PartnerDirectoryService } from '../partners/partner-directory.service';
import { RetractionNotices } from '../retractions/retraction-notices';
import { isMinor } from '../persons/age';
import { Person } from '../persons/person.entity';
import { decryptPersonalData } from '../persons/personal-data';
import { type ConsentDto, type ListConsentsQueryDto, type RecordConsentDto, toConsentDto } from './consent.dto';
import { Consent } from './consent.entity';
import { consentRecorded, consentWithdrawn } from './consent-events';
import { consentTermErrors } from './consent-rules';

/** Recording and withdrawing purpose-bound consents; ConsentRecorded / ConsentWithdrawn tell the other services. */
@Injectable()
export class ConsentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly opener: CaseOpener,
    private readonly partners: PartnerDirectoryService,
    private readonly vault: PersonVault,
    private readonly events: IntakeEvents,
    private readonly audit: AuditLog,
    private readonly config: IntakeConfig,
    private readonly matchKeys: MatchKeyPublication,
    private readonly retractions: RetractionNotices,
  ) {}

  async record(caller: Caller, caseId: string, dto: RecordConsentDto): Promise<ConsentDto> {
    const now = new Date();
    const validFrom = dto.validFrom ? new Date(dto.validFrom) : now;
    const validUntil = dto.validUntil ? new Date(dto.validUntil) : null;
    if (dto.destinationCountry === this.config.PUENTE_NODE) {
      throw fieldProblem('destinationCountry', 'a cross-border transfer goes to another country than this node', 'sameNode');
    }
    return this.dataSource
      .transaction(async (tx) => {
        const c = await this.lockCase(tx, caller, caseId);
        const person = await this.personOnCase(tx, c.id, dto.personId, 'personId');
        if (person.erasedAt) throw privacyProblem(new PersonErasedError(person.id, person.erasedAt));
        const decrypted = [person.id];
        const errors = consentTermErrors(
          { ...dto, validFrom, validUntil },
          { personIsMinor: await this.isMinor(tx, person, now), now },
        );
        if (errors.length > 0) throw validationProblem(errors);
        if (dto.partnerId) await this.partners.requireActive(tx, dto.partnerId);
        if (dto.guardianPersonId) {
          if (dto.guardianPersonId === person.id) throw fieldProblem('guardianPersonId', 'a person cannot be their own guardian', 'selfGuardian');
          const guardian = await this.personOnCase(tx, c.id, dto.guardianPersonId, 'guardianPersonId');
          if (guardian.erasedAt || (await this.isMinor(tx, guardian, now))) throw fieldProblem('guardianPersonId', 'the guardian must be an adult', 'adultGuardian');
          decrypted.push(guardian.id);
        }
        const consent: Consent = {
          id: randomUUID(),
          caseId: c.id,
          personId: person.id,
          purpose: dto.purpose,
          partnerId: dto.partnerId ?? null,
          partnerType: dto.partnerType ?? null,
          destinationCountry: dto.destinationCountry ?? null,
          method: dto.method,
          witnessedBy: dto.witnessedBy ?? null,
          guardianPersonId: dto.guardianPersonId ?? null,
          guardianReference: dto.guardianReference ?? null,
          validFrom,
          validUntil,
          recordedAt: now,
          recordedBy: caller.principal.clientId,
          withdrawnAt: null,
          withdrawnBy: null,
          version: 1,
        };
        await tx.insert(Consent, consent);
        const actor = actorOf(caller.principal, this.config.PUENTE_NODE);
        const published = consent.purpose === 'identity_matching' ? await this.matchKeys.afterConsentRecorded(tx, person.id, now) : [];
        await this.events.append(tx, caller.traceparent, [consentRecorded(consent, actor), ...published], now);
        await auditAgeDerivation(this.audit, tx, caller, decrypted, now);
        return toConsentDto(consent, now);
      })
      .catch(rethrowPrivacy);
  }

  /** Withdraws a consent: from now on nothing may be done under it. Allowed on any case, once. */
  async withdraw(caller: Caller, consentId: string): Promise<ConsentDto> {
    return this.dataSource.transaction(async (tx) => {
      const found = await tx.findOneBy(Consent, { id: consentId });
      if (!found) throw resourceNotFound('consent');
      const c = await tx.findOne(IntakeCase, { where: { id: found.caseId }, lock: { mode: 'pessimistic_write' } });
      if (!c) throw resourceNotFound('consent');
      assertJurisdiction(caller.principal, c.siteCode, { hideAs: 'consent' });
      const consent = await tx.findOneOrFail(Consent, { where: { id: consentId }, lock: { mode: 'pessimistic_write' } });
      if (consent.withdrawnAt) throw illegalTransition('The consent was already withdrawn.', { withdrawnAt: consent.withdrawnAt.toISOString() });
      const now = new Date();
      await tx.update(Consent, { id: consentId }, { withdrawnAt: now, withdrawnBy: caller.principal.clientId, version: consent.version + 1 });
      const withdrawn = consentWithdrawn(consent, now, actorOf(caller.principal, this.config.PUENTE_NODE));
      const retracted = consent.purpose === 'identity_matching' ? await this.matchKeys.afterConsentWithdrawn(tx, consent.personId, now) : [];
      // Receivers of data that relied on this consent (and no other in force) get a retraction notice.
      const notices = await this.retractions.retract(tx, { personId: consent.personId, caseId: consent.caseId, cause: 'consent-withdrawn', purpose: consent.purpose, at: now });
      await this.events.append(tx, caller.traceparent, [withdrawn, ...retracted, ...notices], now);
      return toConsentDto({ ...consent, withdrawnAt: now, withdrawnBy: caller.principal.clientId, version: consent.version + 1 }, now);
    });
  }

  async get(caller: Caller, consentId: string): Promise<ConsentDto> {
    const consent = await this.dataSource.manager.findOneBy(Consent, { id: consentId });
    if (!consent) throw resourceNotFound('consent');
    const c = await this.dataSource.manager.findOneByOrFail(IntakeCase, { id: consent.caseId });
    assertJurisdiction(caller.principal, c.siteCode, { hideAs: 'consent' });
    return toConsentDto(consent);
  }

  async list(caller: Caller, caseId: string, query: ListConsentsQueryDto): Promise<Page<ConsentDto>> {
    const c = await this.dataSource.manager.findOneBy(IntakeCase, { id: caseId });
    if (!c) throw caseNotFound();
    assertJurisdiction(caller.principal, c.siteCode, { hideAs: 'case' });
    const qb = this.dataSource.getRepository(Consent).createQueryBuilder('k').where('k.case_id = :caseId', { caseId });
    if (query.purpose) qb.andWhere('k.purpose = :purpose', { purpose: query.purpose });
    if (query.personId) qb.andWhere('k.person_id = :personId', { personId: query.personId });
    const page = await paginate(qb, {
      limit: query.limit,
      cursor: query.cursor,
      sort: [
        { column: 'k.recorded_at', key: 't', type: 'timestamp' },
        { column: 'k.id', key: 'id', type: 'uuid' },
      ],
      scope: `consents/${caseId}?purpose=${query.purpose ?? ''}&personId=${query.personId ?? ''}`,
    });
    const now = new Date();
    return { items: page.items.map((k) => toConsentDto(k, now)), nextCursor: page.nextCursor };
  }

  private async lockCase(tx: EntityManager, caller: Caller, caseId: string): Promise<IntakeCase> {
    const c = await this.opener.lockById(tx, caller, caseId);
    if (!acceptsChanges(c.status)) throw illegalTransition(`The case is ${c.status}; no new consent can be recorded here.`, { status: c.status });
    return c;
  }

  private async personOnCase(tx: EntityManager, caseId: string, personId: string, field: string): Promise<Person> {
    const rows: { person_id: string }[] = await tx.query('SELECT person_id FROM case_person WHERE case_id = $1 AND person_id = $2', [caseId, personId]);
    if (rows.length === 0) throw unknownReference(field, 'person on this case');
    return tx.findOneByOrFail(Person, { id: personId });
  }

  private async isMinor(tx: EntityManager, person: Person, now: Date): Promise<boolean> {
    const data = await decryptPersonalData(this.vault, person, tx);
    if ('erased' in data) throw privacyProblem(new PersonErasedError(person.id, data.erasedAt));
    return isMinor(data.birthDate, now);
  }
}
