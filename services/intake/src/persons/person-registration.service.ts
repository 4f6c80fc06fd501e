import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type AuditEntry, AuditLog } from '@puente/audit';
import { assertJurisdiction } from '@puente/auth';
import { AgeBand, MatchKeysPublishedSchema, PersonRegisteredSchema, Sex, toTimestamp, Topics, VulnerabilityFlag } from '@puente/contracts';
import { composeStatement, type StatementPart } from '@puente/platform';
import { type MatchKey, PersonVault } from '@puente/privacy';
import { DataSource } from 'typeorm';
import { CaseOpener } from '../cases/case-opener';
import { CasePerson, type IntakeCase } from '../cases/case.entity';
import { actorOf } from '../common/actor';
import type { Caller } from '../common/caller';
import { toProto } from '../common/enums';
import { fieldProblem, rethrowPrivacy, unknownReference } from '../common/problems';
import { IntakeConfig } from '../config/intake.config';
import { type Candidate, DuplicateDetector, type FoundDuplicate } from '../duplicates/duplicate-detector';
import { event, type IntakeEvent, IntakeEvents } from '../events/intake-events';
import { SitesService } from '../sites/sites.service';
import { ageBandOf, ageInYears } from './age';
import type { PersonRegistrationDto, RegisterPersonDto } from './person.dto';
import { Person } from './person.entity';
import { type EncryptedColumns, encryptedColumns, encryptPersonalData, type PersonalData, toPlainFields } from './personal-data';
import { matchIdentityOf, personalDataFromDto } from './person-mapping';

/**
 * Registers a person at a site, on a new case or an open one, atomically: encrypted identity
 * and its data key, match keys and possible duplicates, PersonRegistered (+ CaseOpened,
 * PossibleDuplicateFound, MatchKeysPublished) in the outbox, and the audit record of the
 * personal data written.
 *
 * Registration with a new case is the hot path of a Migration Resource Center, so it is one
 * composed statement in autocommit (see composeStatement): the data key (libs/privacy), person,
 * match keys, case, membership and possible duplicates (here), the events (libs/messaging) and
 * the audit record (libs/audit). No BEGIN/COMMIT round trips, and the audit chain's append lock
 * is held only while the database runs and commits that statement. The duplicate lookup runs
 * before (a hint for a caseworker, not a constraint) and the case reference is reserved before
 * (CaseOpened carries it).
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
    const person: NewPerson = {
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
    const registration = { caller, dto, data, person, keys, candidates, now };
    const result = newCase ? await this.registerWithNewCase(registration).catch(rethrowPrivacy) : await this.registerOnOpenCase(registration);
    return {
      personId,
      caseId: result.caseId,
      caseReference: result.caseReference,
      caseOpened: newCase,
      siteCode: person.siteCode,
      sex: person.sex,
      ageBand: person.ageBand,
      nationality: person.nationality,
      vulnerabilityFlags: person.vulnerabilityFlags,
      interpreterNeeded: person.interpreterNeeded,
      registeredAt: now.toISOString(),
      version: 1,
      possibleDuplicates: result.found.map((d) => ({ id: d.id, otherNode: d.otherNode, otherReference: d.otherReference, score: d.score, rules: d.rules })),
    };
  }

  /** The hot path: one composed statement in autocommit (see the class comment). */
  private async registerWithNewCase(r: Registration): Promise<Registered> {
    const { caller, dto, person, keys, now } = r;
    const reference = await this.cases.prepare(now);
    const caseId = randomUUID();
    const found = this.detector.score(keys, r.candidates).map(({ c, score, rules }) => ({ id: randomUUID(), personId: person.id, caseId, otherNode: c.node, otherReference: c.reference, score, rules }));
    const c: IntakeCase = {
      id: caseId,
      reference,
      siteCode: dto.siteCode,
      custodyNode: this.config.PUENTE_NODE,
      status: 'open',
      priority: dto.case?.priority ?? 'normal',
      principalPersonId: person.id,
      openedAt: now,
      openedBy: caller.principal.clientId,
      closedAt: null,
      closeReason: null,
      updatedAt: now,
      version: 1,
    };
    const encrypted = this.vault.newPerson(person.id, toPlainFields(r.data));
    const row: Person = { ...person, ...encryptedColumns(encrypted.fields) };
    const events = [this.cases.openedEvent(caller, c, row, dto.case?.household ?? false), ...this.registeredEvents(r, caseId, found)];
    const outbox = this.events.part(caller.traceparent, events, now);
    const audit = this.audit.part(this.auditEntry(caller, person.id, now));
    const statement = composeStatement(
      [encrypted.part, registrationPart(row, c, keys, found), outbox.part, audit.part],
      `SELECT statement_guard(EXISTS (SELECT 1 FROM person_insert), '${INACTIVE_SITE}') AS ok, audit_insert.seq, audit_insert.prev_hash, audit_insert.hash FROM audit_insert`,
    );
    let rows: { seq: string; prev_hash: string; hash: string }[];
    try {
      rows = await this.dataSource.query(statement.text, statement.values);
    } catch (error) {
      const driverError = (error as { driverError?: { code?: string; message?: string } }).driverError;
      if (driverError?.code === 'P0001' && driverError.message === INACTIVE_SITE) throw unknownReference('siteCode', 'active site');
      throw error;
    }
    encrypted.committed();
    audit.stored(rows[0]);
    return { caseId, caseReference: reference, found };
  }

  /** Joining an open case: a transaction, as the case is locked and checked first. */
  private async registerOnOpenCase(r: Registration): Promise<Registered> {
    const { caller, dto, person, keys, now } = r;
    return this.dataSource
      .transaction(async (tx) => {
        const joined = await this.cases.lockForChange(tx, caller, dto.caseId as string);
        await this.sites.requireActiveSite(tx, caller, dto.siteCode);
        const encrypted = await encryptPersonalData(this.vault, person.id, r.data, tx);
        await tx.insert(Person, { ...person, ...encrypted });
        await this.detector.storeKeys(tx, person.id, keys);
        await tx.insert(CasePerson, { caseId: joined.id, personId: person.id, addedAt: now });
        const recorded = await this.detector.record(tx, { personId: person.id, caseId: joined.id }, keys, r.candidates, now);
        await this.events.append(tx, caller.traceparent, this.registeredEvents(r, joined.id, recorded.duplicates), now);
        await this.audit.append(tx, this.auditEntry(caller, person.id, now));
        return { caseId: joined.id, caseReference: joined.reference, found: recorded.duplicates };
      })
      .catch(rethrowPrivacy);
  }

  /** PersonRegistered, PossibleDuplicateFound for each duplicate, MatchKeysPublished. */
  private registeredEvents(r: Registration, caseId: string, found: readonly FoundDuplicate[]): IntakeEvent[] {
    const { caller, person, keys, now } = r;
    const events: IntakeEvent[] = [
      event(
        PersonRegisteredSchema,
        {
          personId: person.id,
          caseId,
          siteCode: person.siteCode,
          ageBand: toProto(AgeBand, person.ageBand),
          sex: toProto(Sex, person.sex),
          nationality: person.nationality,
          vulnerabilityFlags: person.vulnerabilityFlags.map((f) => toProto(VulnerabilityFlag, f)),
          interpreterNeeded: person.interpreterNeeded,
          registeredAt: toTimestamp(now),
          registeredBy: actorOf(caller.principal, this.config.PUENTE_NODE),
        },
        caseId,
      ),
      ...found.map((d) => this.detector.foundEvent(d, now)),
    ];
    if (keys.length > 0) {
      events.push(
        event(
          MatchKeysPublishedSchema,
          { personId: person.id, node: this.config.PUENTE_NODE, keys: keys.map((k) => ({ rule: k.rule, kid: k.kid, value: k.value })), publishedAt: toTimestamp(now) },
          person.id,
          Topics.intakeMatchKeys.name,
        ),
      );
    }
    return events;
  }

  private auditEntry(caller: Caller, personId: string, now: Date): AuditEntry {
    return {
      actor: caller.auditActor,
      requestId: caller.requestId,
      traceparent: caller.traceparent,
      action: 'person.create',
      objectType: 'person',
      objectId: personId,
      purpose: 'case-management',
      occurredAt: now,
    };
  }
}

const INACTIVE_SITE = 'registration-site-inactive';

type NewPerson = Omit<Person, keyof EncryptedColumns>;

interface Registration {
  caller: Caller;
  dto: RegisterPersonDto;
  data: PersonalData;
  person: NewPerson;
  keys: readonly MatchKey[];
  candidates: Candidate[];
  now: Date;
}

interface Registered {
  caseId: string;
  caseReference: string;
  found: FoundDuplicate[];
}

/**
 * The service's own rows of a registration with a new case, as a statement part: the person
 * (only if the site exists and is active), its match keys, the case, the membership and the
 * possible duplicates. The final SELECT checks `person_insert` (see INACTIVE_SITE).
 */
function registrationPart(p: Person, c: IntakeCase, keys: readonly MatchKey[], found: readonly FoundDuplicate[]): StatementPart {
  return {
    ctes: [
      ['active_site', `SELECT code FROM site WHERE code = $2 AND active`],
      [
        'person_insert',
        `INSERT INTO person (id, site_code, sex, nationality, age_band, vulnerability_flags, interpreter_needed,
           given_names_enc, family_names_enc, transliteration_enc, birth_date_enc, other_citizenships_enc, languages_enc, contact_enc, documents_enc,
           registered_at, registered_by, updated_at, erased_at, version)
         SELECT $1, active_site.code, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $16, NULL, 1 FROM active_site
         RETURNING id`,
      ],
      [
        'match_key_insert',
        `INSERT INTO person_match_key (person_id, kid, rule, value)
         SELECT person_insert.id, k.kid, k.rule, k.value FROM person_insert, unnest($18::text[], $19::text[], $20::text[]) AS k (kid, rule, value)`,
      ],
      [
        'case_insert',
        `INSERT INTO intake_case (id, reference, site_code, custody_node, status, priority, principal_person_id, opened_at, opened_by, updated_at, version)
         SELECT $21, $29, $2, $22, 'open', $23, person_insert.id, $16, $17, $16, 1 FROM person_insert
         RETURNING id`,
      ],
      ['case_person_insert', `INSERT INTO case_person (case_id, person_id, added_at) SELECT case_insert.id, person_insert.id, $16 FROM case_insert, person_insert`],
      [
        'duplicate_insert',
        `INSERT INTO possible_duplicate (id, person_id, case_id, other_node, other_reference, rules, score, status, found_at)
         SELECT d.id, person_insert.id, case_insert.id, d.node, d.reference, string_to_array(d.rules, ','), d.score, 'open', $16
         FROM person_insert, case_insert, unnest($24::uuid[], $25::text[], $26::text[], $27::text[], $28::float8[]) AS d (id, node, reference, rules, score)`,
      ],
    ],
    params: [
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
      c.reference,
    ],
  };
}
