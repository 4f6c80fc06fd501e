import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditLog } from '@puente/audit';
import { assertJurisdiction } from '@puente/auth';
import { AgeBand, MatchKeysPublishedSchema, PersonRegisteredSchema, Sex, toTimestamp, Topics, VulnerabilityFlag } from '@puente/contracts';
import { PersonVault } from '@puente/privacy';
import { DataSource, type EntityManager } from 'typeorm';
import { CaseOpener } from '../cases/case-opener';
import { CaseReferences } from '../cases/case-reference';
import { CasePerson, type IntakeCase } from '../cases/case.entity';
import { actorOf } from '../common/actor';
import type { Caller } from '../common/caller';
import { toProto } from '../common/enums';
import { fieldProblem, rethrowPrivacy, unknownReference } from '../common/problems';
import { IntakeConfig } from '../config/intake.config';
import { DuplicateDetector, type FoundDuplicate } from '../duplicates/duplicate-detector';
import { event, type IntakeEvent, IntakeEvents } from '../events/intake-events';
import { SitesService } from '../sites/sites.service';
import { ageBandOf, ageInYears } from './age';
import type { PersonRegistrationDto, RegisterPersonDto } from './person.dto';
import { Person } from './person.entity';
import { encryptPersonalData, type PersonalData } from './personal-data';
import { matchIdentityOf, personalDataFromDto } from './person-mapping';

/**
 * Registers a person at a site, on a new case or an open one, in one transaction: encrypted
 * identity, match keys and possible duplicates, PersonRegistered (+ CaseOpened, PossibleDuplicateFound,
 * MatchKeysPublished) in the outbox, and the audit record of the personal data written.
 *
 * Registration with a new case is the hot path of a Migration Resource Center, so it is written
 * in few round trips: the duplicate lookup runs before the transaction (it is a hint for a
 * caseworker, not a constraint), and person, match keys, case (numbered from a sequence, no lock),
 * case membership and possible duplicates are inserted by one statement.
 */
@Injectable()
export class PersonRegistrationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: PersonVault,
    private readonly sites: SitesService,
    private readonly cases: CaseOpener,
    private readonly detector: DuplicateDetector,
    private readonly events: IntakeEvents,
    private readonly audit: AuditLog,
    private readonly config: IntakeConfig,
  ) {}

  async register(caller: Caller, dto: RegisterPersonDto): Promise<PersonRegistrationDto> {
    const newCase = dto.case !== undefined && dto.case !== null;
    const existingCase = dto.caseId !== undefined && dto.caseId !== null;
    if (newCase === existingCase) throw fieldProblem('caseId', 'give exactly one of case (open a new case) or caseId (join an open case)', 'exactlyOne');
    assertJurisdiction(caller.principal, dto.siteCode);
    const data: PersonalData = personalDataFromDto(dto);
    const now = new Date();
    const personId = randomUUID();
    const keys = this.detector.keysOf(matchIdentityOf(data, dto.nationality));
    const candidates = await this.detector.candidates(this.dataSource.manager, keys);
    const duplicates = (caseId: string): FoundDuplicate[] =>
      this.detector.score(keys, candidates).map(({ c, score, rules }) => ({ id: randomUUID(), personId, caseId, otherNode: c.node, otherReference: c.reference, score, rules }));
    const sequence = newCase ? await this.cases.prepare(now) : undefined;

    const person: Omit<Person, keyof Awaited<ReturnType<typeof encryptPersonalData>>> = {
      id: personId,
      siteCode: dto.siteCode,
      sex: dto.sex,
      nationality: dto.nationality,
      ageBand: ageBandOf(ageInYears(data.birthDate, now)),
      vulnerabilityFlags: dto.vulnerabilityFlags ?? [],
      interpreterNeeded: data.languages.some((l) => l.interpreterNeeded),
      registeredAt: now,
      registeredBy: caller.principal.clientId,
      updatedAt: now,
      erasedAt: null,
      version: 1,
    };

    return this.dataSource
      .transaction(async (tx) => {
        const encrypted = await encryptPersonalData(this.vault, personId, data, tx);
        const row: Person = { ...person, ...encrypted };
        let registeredCase: Pick<IntakeCase, 'id' | 'reference'>;
        let found: FoundDuplicate[];
        const events: IntakeEvent[] = [];
        if (sequence) {
          const caseId = randomUUID();
          found = duplicates(caseId);
          const c: IntakeCase = {
            id: caseId,
            reference: '',
            siteCode: dto.siteCode,
            custodyNode: this.config.PUENTE_NODE,
            status: 'open',
            priority: dto.case?.priority ?? 'normal',
            principalPersonId: personId,
            openedAt: now,
            openedBy: caller.principal.clientId,
            closedAt: null,
            closeReason: null,
            updatedAt: now,
            version: 1,
          };
          c.reference = await this.insertWithNewCase(tx, row, c, sequence, keys, found);
          registeredCase = c;
          events.push(this.cases.openedEvent(caller, c, row, dto.case?.household ?? false));
        } else {
          const joined = await this.cases.lockForChange(tx, caller, dto.caseId as string);
          await this.sites.requireActiveSite(tx, caller, dto.siteCode);
          await tx.insert(Person, row);
          await this.detector.storeKeys(tx, personId, keys);
          await tx.insert(CasePerson, { caseId: joined.id, personId, addedAt: now });
          const recorded = await this.detector.record(tx, { personId, caseId: joined.id }, keys, candidates, now);
          found = recorded.duplicates;
          registeredCase = joined;
        }
        const caseId = registeredCase.id;
        events.push(
          event(
            PersonRegisteredSchema,
            {
              personId,
              caseId,
              siteCode: row.siteCode,
              ageBand: toProto(AgeBand, row.ageBand),
              sex: toProto(Sex, row.sex),
              nationality: row.nationality,
              vulnerabilityFlags: row.vulnerabilityFlags.map((f) => toProto(VulnerabilityFlag, f)),
              interpreterNeeded: row.interpreterNeeded,
              registeredAt: toTimestamp(now),
              registeredBy: actorOf(caller.principal, this.config.PUENTE_NODE),
            },
            caseId,
          ),
          ...found.map((d) => this.detector.foundEvent(d, now)),
        );
        if (keys.length > 0) {
          events.push(
            event(
              MatchKeysPublishedSchema,
              { personId, node: this.config.PUENTE_NODE, keys: keys.map((k) => ({ rule: k.rule, kid: k.kid, value: k.value })), publishedAt: toTimestamp(now) },
              personId,
              Topics.intakeMatchKeys.name,
            ),
          );
        }
        await this.events.append(tx, caller.traceparent, events, now);
        await this.audit.append(tx, {
          actor: caller.auditActor,
          requestId: caller.requestId,
          traceparent: caller.traceparent,
          action: 'person.create',
          objectType: 'person',
          objectId: personId,
          purpose: 'case-management',
          occurredAt: now,
        });
        return {
          personId,
          caseId,
          caseReference: registeredCase.reference,
          caseOpened: sequence !== undefined,
          siteCode: row.siteCode,
          sex: row.sex,
          ageBand: row.ageBand,
          nationality: row.nationality,
          vulnerabilityFlags: row.vulnerabilityFlags,
          interpreterNeeded: row.interpreterNeeded,
          registeredAt: now.toISOString(),
          version: 1,
          possibleDuplicates: found.map((d) => ({ id: d.id, otherNode: d.otherNode, otherReference: d.otherReference, score: d.score, rules: d.rules })),
        };
      })
      .catch(rethrowPrivacy);
  }

  /**
   * One statement: the person (if the site exists and is active), its match keys, the case with
   * the next reference of the year's sequence, the case membership and the possible duplicates.
   * Returns the case reference; 422 naming siteCode when the site is unknown or inactive.
   */
  private async insertWithNewCase(
    tx: EntityManager,
    p: Person,
    c: IntakeCase,
    sequence: string,
    keys: readonly { kid: string; rule: string; value: string }[],
    found: readonly FoundDuplicate[],
  ): Promise<string> {
    const reference = CaseReferences.nextReferenceSql(sequence, this.config.PUENTE_NODE, c.openedAt.getUTCFullYear());
    const rows: { reference: string }[] = await tx.query(
      `WITH site AS (
         SELECT code FROM site WHERE code = $2 AND active
       ), p AS (
         INSERT INTO person (id, site_code, sex, nationality, age_band, vulnerability_flags, interpreter_needed,
           given_names_enc, family_names_enc, transliteration_enc, birth_date_enc, other_citizenships_enc, languages_enc, contact_enc, documents_enc,
           registered_at, registered_by, updated_at, erased_at, version)
         SELECT $1, site.code, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $16, NULL, 1 FROM site
         RETURNING id
       ), keys AS (
         INSERT INTO person_match_key (person_id, kid, rule, value)
         SELECT p.id, k.kid, k.rule, k.value FROM p, unnest($18::text[], $19::text[], $20::text[]) AS k (kid, rule, value)
       ), c AS (
         INSERT INTO intake_case (id, reference, site_code, custody_node, status, priority, principal_person_id, opened_at, opened_by, updated_at, version)
         SELECT $21, ${reference}, $2, $22, 'open', $23, p.id, $16, $17, $16, 1 FROM p
         RETURNING id, reference
       ), member AS (
         INSERT INTO case_person (case_id, person_id, added_at) SELECT c.id, p.id, $16 FROM c, p
       ), duplicates AS (
         INSERT INTO possible_duplicate (id, person_id, case_id, other_node, other_reference, rules, score, status, found_at)
         SELECT d.id, p.id, c.id, d.node, d.reference, string_to_array(d.rules, ','), d.score, 'open', $16
         FROM p, c, unnest($24::uuid[], $25::text[], $26::text[], $27::text[], $28::float8[]) AS d (id, node, reference, rules, score)
       )
       SELECT reference FROM c`,
      [
        p.id,
        p.siteCode,
        p.sex,
        p.nationality,
        p.ageBand,
        p.vulnerabilityFlags,
        p.interpreterNeeded,
        p.givenNamesEnc,
        p.familyNamesEnc,
        p.transliterationEnc,
        p.birthDateEnc,
        p.otherCitizenshipsEnc,
        p.languagesEnc,
        p.contactEnc,
        p.documentsEnc,
        p.registeredAt,
        p.registeredBy,
        keys.map((k) => k.kid),
        keys.map((k) => k.rule),
        keys.map((k) => k.value),
        c.id,
        c.custodyNode,
        c.priority,
        found.map((d) => d.id),
        found.map((d) => d.otherNode),
        found.map((d) => d.otherReference),
        found.map((d) => d.rules.join(',')),
        found.map((d) => d.score),
      ],
    );
    if (rows.length === 0) throw unknownReference('siteCode', 'active site');
    return rows[0].reference;
  }
}
