import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { type AuditEntry, AuditLog, type Caller } from '@puente/audit';
import { assertJurisdiction } from '@puente/auth';
import { composeStatement, type FieldError, idempotentCompletionPart, queryPrepared, type StatementPart, validationProblem } from '@puente/platform';
import { type MatchKey, PersonVault } from '@puente/privacy';
import { DataSource, type EntityManager } from 'typeorm';
import { CaseOpener } from '../cases/case-opener';
import type { IntakeCase } from '../cases/case.entity';
import { actorOf } from '../common/actor';
import { fieldProblem, rethrowPrivacy, unknownReference } from '../common/problems';
import { IntakeConfig } from '../config/intake.config';
import type { ConsentGivenAtRegistrationDto } from '../consents/consent.dto';
import type { Consent } from '../consents/consent.entity';
import { consentRecorded } from '../consents/consent-events';
import { consentTermErrors } from '../consents/consent-rules';
import { DuplicateDetector, type FoundDuplicate } from '../duplicates/duplicate-detector';
import { MatchKeyPublication } from '../duplicates/match-key-publication';
import { insertMatchKeys, matchKeyColumns } from '../duplicates/match-key-rows';
import { IntakeEvents } from '../events/intake-events';
import { ageBandOf, ageInYears, isMinor } from './age';
import type { PersonRegistrationDto, RegisterPersonDto } from './person.dto';
import type { Person } from './person.entity';
import { personRegistered } from './person-events';
import { matchIdentityOf, personalDataFromDto } from './person-mapping';
import { encryptedColumns, toPlainFields } from './personal-data';

/**
 * Registers a person at a site, on a new case (`case`) or an open one (`caseId`), in one place
 * and one SQL statement (registrationPart below): the data key and encrypted identity, the
 * person, match keys, the case (if new), the membership, possible duplicates, consents given
 * with the registration, the events (CaseOpened, PersonRegistered, PossibleDuplicateFound,
 * ConsentRecorded, MatchKeysPublished if identity matching is consented) and the audit record.
 * A new case runs it in autocommit (the hot path of a Migration Resource Center: no BEGIN/COMMIT
 * round trips); joining an open case runs it in a transaction after locking that case.
 */
@Injectable()
export class PersonRegistrationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: PersonVault,
    private readonly cases: CaseOpener,
    private readonly detector: DuplicateDetector,
    private readonly matchKeys: MatchKeyPublication,
    private readonly events: IntakeEvents,
    private readonly audit: AuditLog,
    private readonly config: IntakeConfig,
  ) {}

  /**
   * `answersRequest`: the registration's response is the response of the caller's request
   * (POST /v1/persons), so its Idempotency-Key record is completed by the registration's own
   * statement. Other callers (a transfer's acceptance) answer their request with something else.
   * `tx`: the registration is one step of the caller's transaction (a transfer's acceptance
   * registers a household and decides the transfer in one commit), not a commit of its own.
   */
  async register(caller: Caller, dto: RegisterPersonDto, options: { answersRequest?: boolean; tx?: EntityManager } = {}): Promise<PersonRegistrationDto> {
    if ((dto.case != null) === (dto.caseId != null)) throw fieldProblem('caseId', 'give exactly one of case (open a new case) or caseId (join an open case)', 'exactlyOne');
    assertJurisdiction(caller.principal, dto.siteCode);
    const now = new Date();
    const data = personalDataFromDto(dto);
    const person: NewPerson = {
      id: randomUUID(),
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
    const keys = this.detector.keysOf(matchIdentityOf(data, dto.nationality));
    const found = this.detector.score(keys, await this.detector.candidates(options.tx ?? this.dataSource.manager, keys));
    const consents = this.consentsOf(caller, dto.consents ?? [], person.id, isMinor(data.birthDate, now), now);
    const encrypted = this.vault.newPerson(person.id, toPlainFields(data));
    const write = async (db: EntityManager, c: IntakeCase, opened: boolean) => {
      const duplicates = found.map(({ c: other, score, rules }) => ({ id: randomUUID(), personId: person.id, caseId: c.id, otherNode: other.node, otherReference: other.reference, score, rules }));
      const response: PersonRegistrationDto = {
        personId: person.id,
        caseId: c.id,
        caseReference: c.reference,
        caseOpened: dto.case != null,
        siteCode: person.siteCode,
        sex: person.sex,
        ageBand: person.ageBand,
        nationality: person.nationality,
        vulnerabilityFlags: person.vulnerabilityFlags,
        interpreterNeeded: person.interpreterNeeded,
        registeredAt: now.toISOString(),
        version: 1,
        possibleDuplicates: duplicates.map((d) => ({ id: d.id, otherNode: d.otherNode, otherReference: d.otherReference, score: d.score, rules: d.rules })),
        consentIds: consents.map((k) => k.id),
      };
      // The Idempotency-Key record is completed by this same statement: one durable commit, not two.
      const completion = options.answersRequest ? idempotentCompletionPart(caller.request, { status: HttpStatus.CREATED, body: response }) : undefined;
      const actor = actorOf(caller.principal, this.config.PUENTE_NODE);
      const joined = consents.map((k) => ({ ...k, caseId: c.id }));
      const outbox = this.events.part(
        caller.traceparent,
        [
          ...(opened ? [this.cases.openedEvent(caller, c, person, dto.case?.household ?? false)] : []),
          personRegistered(person, c.id, now, actor),
          ...duplicates.map((d) => this.detector.foundEvent(d, now)),
          ...joined.map((k) => consentRecorded(k, actor)),
          ...(this.matchKeys.allowedBy(joined, now) ? this.matchKeys.published(person.id, keys, now) : []),
        ],
        now,
      );
      // The chain's lock is taken once the person, match keys, case, membership, duplicates and
      // consents are written: concurrent registrations queue only behind the append and commit.
      const audit = this.audit.part(this.auditEntry(caller, person.id, now), { after: REGISTRATION_WRITES });
      const row: Person = { ...person, ...encryptedColumns(encrypted.fields) };
      const statement = composeStatement(
        [encrypted.part, registrationPart(row, c, opened, keys, duplicates, joined), outbox.part, audit.part, ...(completion ? [completion] : [])],
        `SELECT statement_guard(EXISTS (SELECT 1 FROM person_insert), '${INACTIVE_SITE}') AS ok, audit_insert.seq, audit_insert.prev_hash, audit_insert.hash FROM audit_insert`,
      );
      const rows = await queryPrepared<{ seq: string; prev_hash: string; hash: string }>(db, statement.text, statement.values).catch(inactiveSite);
      audit.stored(rows[0]);
      return response;
    };
    const join = async (tx: EntityManager) => write(tx, await this.cases.lockForChange(tx, caller, dto.caseId as string), false);
    if (options.tx) {
      // Not committed here: the data key is not cached (a rollback of the caller's transaction
      // would leave a key for no one); the next read loads it from the table.
      return (dto.case ? write(options.tx, await this.newCase(caller, dto, person.id, now), true) : join(options.tx)).catch(rethrowPrivacy);
    }
    const response = dto.case
      ? await write(this.dataSource.manager, await this.newCase(caller, dto, person.id, now), true).catch(rethrowPrivacy)
      : await this.dataSource.transaction(join).catch(rethrowPrivacy);
    encrypted.committed();
    return response;
  }

  /** The case row a registration opens (its reference reserved first, outside the write). */
  private async newCase(caller: Caller, dto: RegisterPersonDto, principalPersonId: string, now: Date): Promise<IntakeCase> {
    return {
      id: randomUUID(),
      reference: await this.cases.prepare(now),
      siteCode: dto.siteCode,
      custodyNode: this.config.PUENTE_NODE,
      status: 'open',
      priority: dto.case?.priority ?? 'normal',
      principalPersonId,
      openedAt: now,
      openedBy: caller.principal.clientId,
      closedAt: null,
      closeReason: null,
      updatedAt: now,
      version: 1,
    };
  }

  /** The consents given with the registration (case id filled in by the write), or 422 with every field error. */
  private consentsOf(caller: Caller, given: readonly ConsentGivenAtRegistrationDto[], personId: string, personIsMinor: boolean, now: Date): Omit<Consent, 'caseId'>[] {
    const errors: FieldError[] = [];
    given.forEach((k, i) => {
      const at = (e: FieldError) => errors.push({ ...e, field: `consents[${i}].${e.field}` });
      const validUntil = k.validUntil ? new Date(k.validUntil) : null;
      consentTermErrors({ ...k, validFrom: now, validUntil }, { personIsMinor, now }).forEach(at);
      if (k.destinationCountry === this.config.PUENTE_NODE) at({ field: 'destinationCountry', message: 'a cross-border transfer goes to another country than this node', code: 'sameNode' });
      if (given.findIndex((o) => o.purpose === k.purpose) !== i) at({ field: 'purpose', message: 'one consent per purpose', code: 'duplicate' });
    });
    if (errors.length > 0) throw validationProblem(errors);
    return given.map((k) => ({
      id: randomUUID(),
      personId,
      purpose: k.purpose,
      partnerId: null,
      partnerType: k.partnerType ?? null,
      destinationCountry: k.destinationCountry ?? null,
      method: k.method,
      witnessedBy: k.witnessedBy ?? null,
      guardianPersonId: null,
      guardianReference: k.guardianReference ?? null,
      validFrom: now,
      validUntil: k.validUntil ? new Date(k.validUntil) : null,
      recordedAt: now,
      recordedBy: caller.principal.clientId,
      withdrawnAt: null,
      withdrawnBy: null,
      version: 1,
    }));
  }

  private auditEntry(caller: Caller, personId: string, now: Date): AuditEntry {
    return { actor: caller.auditActor, requestId: caller.requestId, traceparent: caller.traceparent, action: 'person.create', objectType: 'person', objectId: personId, purpose: 'case-management', occurredAt: now };
  }
}

/** The CTEs of registrationPart that complete before the audit chain's lock is taken (see AuditLog.part). */
const REGISTRATION_WRITES = ['match_key_insert', 'case_insert', 'case_person_insert', 'duplicate_insert', 'consent_insert'];

/** The person is inserted only if the site exists and is active; the final SELECT raises this otherwise. */
const INACTIVE_SITE = 'registration-site-inactive';

function inactiveSite(error: unknown): never {
  const driverError = (error as { driverError?: { code?: string; message?: string } }).driverError;
  if (driverError?.code === 'P0001' && driverError.message === INACTIVE_SITE) throw unknownReference('siteCode', 'active site');
  throw error;
}

type NewPerson = Omit<Person, 'givenNamesEnc' | 'familyNamesEnc' | 'transliterationEnc' | 'birthDateEnc' | 'otherCitizenshipsEnc' | 'languagesEnc' | 'contactEnc' | 'documentsEnc'>;

/**
 * The service's own rows of a registration, as a statement part: the person (only if the site
 * exists and is active), its match keys, the case when `opened`, the membership, the possible
 * duplicates and the consents. The final SELECT checks `person_insert` (see INACTIVE_SITE).
 */
function registrationPart(p: Person, c: IntakeCase, opened: boolean, keys: readonly MatchKey[], found: readonly FoundDuplicate[], consents: readonly Consent[]): StatementPart {
  const [kids, rules, values, searchable] = matchKeyColumns(keys);
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
        `INSERT INTO person_match_key (person_id, kid, rule, value, searchable)
         SELECT person_insert.id, k.kid, k.rule, k.value, k.searchable
         FROM person_insert, unnest($18::text[], $19::text[], $20::text[], $39::boolean[]) AS k (kid, rule, value, searchable)
         RETURNING 1`,
      ],
      [
        'case_insert',
        `INSERT INTO intake_case (id, reference, site_code, custody_node, status, priority, principal_person_id, opened_at, opened_by, updated_at, version)
         SELECT $21, $29, $2, $22, 'open', $23, person_insert.id, $16, $17, $16, 1 FROM person_insert WHERE $30::boolean
         RETURNING id`,
      ],
      ['case_person_insert', `INSERT INTO case_person (case_id, person_id, added_at) SELECT $21, person_insert.id, $16 FROM person_insert RETURNING 1`],
      [
        'duplicate_insert',
        `INSERT INTO possible_duplicate (id, person_id, case_id, other_node, other_reference, rules, score, status, found_at)
         SELECT d.id, person_insert.id, $21, d.node, d.reference, string_to_array(d.rules, ','), d.score, 'open', $16
         FROM person_insert, unnest($24::uuid[], $25::text[], $26::text[], $27::text[], $28::float8[]) AS d (id, node, reference, rules, score)
         RETURNING 1`,
      ],
      [
        'consent_insert',
        `INSERT INTO consent (id, case_id, person_id, purpose, partner_type, destination_country, method, witnessed_by, guardian_reference,
           valid_from, valid_until, recorded_at, recorded_by, version)
         SELECT k.id, $21, person_insert.id, k.purpose, k.partner_type, k.destination_country, k.method, k.witnessed_by, k.guardian_reference, $16, k.valid_until, $16, $17, 1
         FROM person_insert, unnest($31::uuid[], $32::text[], $33::text[], $34::text[], $35::text[], $36::text[], $37::text[], $38::timestamptz[])
           AS k (id, purpose, partner_type, destination_country, method, witnessed_by, guardian_reference, valid_until)
         RETURNING 1`,
      ],
    ],
    params: [
      ...[p.id, p.siteCode, p.sex, p.nationality, p.ageBand, p.vulnerabilityFlags, p.interpreterNeeded],
      ...[p.givenNamesEnc, p.familyNamesEnc, p.transliterationEnc, p.birthDateEnc, p.otherCitizenshipsEnc, p.languagesEnc, p.contactEnc, p.documentsEnc],
      ...[p.registeredAt, p.registeredBy],
      ...[kids, rules, values],
      ...[c.id, c.custodyNode, c.priority],
      ...[found.map((d) => d.id), found.map((d) => d.otherNode), found.map((d) => d.otherReference), found.map((d) => d.rules.join(',')), found.map((d) => d.score)],
      ...[c.reference, opened],
      ...[consents.map((k) => k.id), consents.map((k) => k.purpose), consents.map((k) => k.partnerType), consents.map((k) => k.destinationCountry)],
      ...[consents.map((k) => k.method), consents.map((k) => k.witnessedBy), consents.map((k) => k.guardianReference), consents.map((k) => k.validUntil)],
      searchable,
    ],
  };
}

/**
 * Many new persons (with their match keys) in one statement per table, for a bulk registration
 * (a manifest's rows): the one other way persons are written, kept here beside the single
 * registration so both stay in step with the person table.
 */
export async function insertPeople(tx: EntityManager, people: Person[], keys: MatchKey[][]): Promise<void> {
  if (people.length === 0) return;
  const at = people[0].registeredAt;
  await tx.query(
    `INSERT INTO person (id, site_code, sex, nationality, age_band, vulnerability_flags, interpreter_needed,
       given_names_enc, family_names_enc, birth_date_enc, registered_at, registered_by, updated_at, version)
     SELECT p.id, $2, p.sex, p.nationality, p.age_band, '{}', false, p.given, p.family, p.birth, $3, $4, $3, 1
     FROM unnest($1::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) AS p (id, sex, nationality, age_band, given, family, birth)`,
    [
      people.map((p) => p.id),
      people[0].siteCode,
      at,
      people[0].registeredBy,
      people.map((p) => p.sex),
      people.map((p) => p.nationality),
      people.map((p) => p.ageBand),
      people.map((p) => p.givenNamesEnc),
      people.map((p) => p.familyNamesEnc),
      people.map((p) => p.birthDateEnc),
    ],
  );
  await insertMatchKeys(
    tx,
    people.flatMap((p, i) => keys[i].map(() => p.id)),
    keys.flat(),
  );
}
