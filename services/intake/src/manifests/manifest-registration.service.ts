import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type AuditEntry, AuditLog, type Caller } from '@puente/audit';
import { assertJurisdiction, inJurisdiction } from '@puente/auth';
import { type BorderSubject, protectionBlocks, protectionOf } from '@puente/federation';
import { flattenValidationErrors } from '@puente/platform';
import { type MatchKey, PersonVault, signalOf } from '@puente/privacy';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { CaseOpener } from '../cases/case-opener';
import type { IntakeCase } from '../cases/case.entity';
import { CaseReferences, formatCaseReference } from '../cases/case-reference';
import { actorOf } from '../common/actor';
import type { AgeBandValue, SexValue } from '../common/enums';
import { unknownReference } from '../common/problems';
import { IntakeConfig } from '../config/intake.config';
import { type Candidate, DuplicateDetector, type FoundDuplicate } from '../duplicates/duplicate-detector';
import { MatchKeyPublication } from '../duplicates/match-key-publication';
import { type IntakeEvent, IntakeEvents } from '../events/intake-events';
import { ageBandOf, ageInYears } from '../persons/age';
import type { Person } from '../persons/person.entity';
import { personRegistered, personUpdated } from '../persons/person-events';
import { insertPeople } from '../persons/person-registration.service';
import { matchIdentityOf } from '../persons/person-mapping';
import { encryptedColumns, type PersonalData, toPlainFields } from '../persons/personal-data';
import { SitesService } from '../sites/sites.service';
import { ManifestPersonDto, type ManifestRegistrationDto, type ManifestRowResultDto, type OtherNodeMatchDto } from './manifest-registration.dto';
import { candidatesByRow, decideRows, keyId, type StoredKey } from './manifest-matching';

/** Statuses in which a case still receives its person back (not closed, not handed to another node). */
const LIVE_CASE_STATUSES = ['open', 'in_screening', 'screened', 'referred', 'transfer_pending', 'on_hold'];

/** A row that passed validation, with what matching needs. */
interface Accepted {
  index: number;
  rowKey: string;
  dto: ManifestPersonDto;
  data: PersonalData;
  keys: MatchKey[];
  candidates: { c: Candidate; score: number; rules: string[] }[];
}

interface PersonFacts {
  id: string;
  site_code: string;
  sex: SexValue;
  nationality: string;
  age_band: AgeBandValue;
  vulnerability_flags: string[];
  interpreter_needed: boolean;
  registered_by: string;
}

/** Where a row ended: its person, its case and what happened to them. */
interface Outcome {
  personId: string;
  caseId: string;
  outcome: 'matched' | 'registered';
  caseOpened: boolean;
  identityCorrected: boolean;
  otherNodeMatches: OtherNodeMatchDto[];
}

/**
 * Register-or-match for the persons of an arrival manifest (called by reception), set-based:
 * each row is validated on its own, then the whole call is decided and written in one
 * transaction with one statement per table (persons, data keys, match keys, cases, memberships,
 * possible duplicates, events, audit records) and one match-key lookup for every row, against
 * local persons and the keys partner nodes shared (partner_match_key). A person whose full name
 * and exact birth date match a local person (FULLNAME_DOB) is that person; a corrected row sent
 * with the person answered before stays that person (see decideRows); everyone else is
 * registered on a new case, with possible duplicates recorded as at any registration.
 */
@Injectable()
export class ManifestRegistrationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: PersonVault,
    private readonly detector: DuplicateDetector,
    private readonly matchKeys: MatchKeyPublication,
    private readonly cases: CaseOpener,
    private readonly references: CaseReferences,
    private readonly events: IntakeEvents,
    private readonly audit: AuditLog,
    private readonly sites: SitesService,
    private readonly config: IntakeConfig,
  ) {}

  async registerOrMatch(caller: Caller, dto: ManifestRegistrationDto): Promise<ManifestRowResultDto[]> {
    assertJurisdiction(caller.principal, dto.siteCode);
    await this.sites.requireActiveSite(this.dataSource.manager, caller, dto.siteCode);
    const results: ManifestRowResultDto[] = new Array(dto.rows.length);
    const accepted: Accepted[] = [];
    for (const [index, raw] of dto.rows.entries()) {
      const checked = await this.check(index, raw);
      if ('outcome' in checked) results[index] = checked;
      else accepted.push(checked);
    }
    if (accepted.length === 0) return results;
    // The case numbers' sequence exists before the transaction (created on another connection the first time).
    const sequence = await this.references.ensure(this.config.PUENTE_NODE, new Date());
    const { outcomes, committed } = await this.dataSource.transaction((tx) => this.write(tx, caller, dto.siteCode, accepted, sequence));
    committed();
    accepted.forEach((row, i) => (results[row.index] = { rowKey: row.rowKey, index: row.index, ...outcomes[i], errors: [] }));
    return results;
  }

  /** One row's validation: the accepted row, or its rejection with every field and code. */
  private async check(index: number, raw: Record<string, unknown>): Promise<Accepted | ManifestRowResultDto> {
    const rowKey = typeof raw.rowKey === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(raw.rowKey) ? raw.rowKey : null;
    const row = plainToInstance(ManifestPersonDto, raw);
    const invalid = await validate(row, { whitelist: true, forbidNonWhitelisted: true });
    if (invalid.length > 0 || rowKey === null) {
      const errors = flattenValidationErrors(invalid).map((e) => ({ field: e.field, code: e.code ?? 'invalid' }));
      return { rowKey, index, outcome: 'rejected', personId: null, caseId: null, caseOpened: false, identityCorrected: false, otherNodeMatches: [], errors };
    }
    const data: PersonalData = {
      givenNames: row.givenNames,
      familyNames: row.familyNames ?? null,
      transliteration: null,
      birthDate: row.birthDate,
      birthDateEstimated: false,
      otherCitizenships: [],
      languages: [],
      contact: null,
      documents: [],
    };
    return { index, rowKey, dto: row, data, keys: this.detector.keysOf(matchIdentityOf(data, row.nationality)), candidates: [] };
  }

  /** Decides and writes every accepted row of a call in the caller's transaction; `committed` caches the new data keys afterwards. */
  private async write(tx: EntityManager, caller: Caller, siteCode: string, rows: Accepted[], sequence: string): Promise<{ outcomes: Outcome[]; committed: () => void }> {
    const at = new Date();
    const node = this.config.PUENTE_NODE;
    // The site stays active until this commits (a deactivation waits for it).
    const site: unknown[] = await tx.query(`SELECT code FROM site WHERE code = $1 AND active FOR SHARE`, [siteCode]);
    if (site.length === 0) throw unknownReference('siteCode', 'active site');

    // One registration per identity, also across concurrent calls: lock the identities, then look.
    const identityKeys = rows.map((r) => r.keys.filter((k) => signalOf(k.rule) === 'FULLNAME_DOB').map(keyId));
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended(k, 7193)) FROM (SELECT DISTINCT k FROM unnest($1::text[]) AS k ORDER BY k) AS locked`, [
      [...new Set(identityKeys.flat())],
    ]);
    const stored = await this.storedKeysSharing(tx, rows);
    candidatesByRow(
      rows.map((r) => r.keys),
      stored,
      node,
    ).forEach((candidates, i) => {
      // Scored against the row's keys that someone shares (the same score as against all of them, far fewer to compare).
      const shared = new Map(candidates.flatMap((c) => c.keys).map((k) => [`${k.rule}\u001f${keyId(k)}`, k]));
      rows[i].candidates = candidates.length === 0 ? [] : this.detector.score([...shared.values()], candidates);
    });

    const hinted = [...new Set(rows.map((r) => r.dto.personId).filter((id): id is string => !!id))];
    // A person answered before counts only inside the caller's jurisdiction (the hint is the caller's word).
    const hintedFacts = new Map([...(await this.personFacts(tx, hinted))].filter(([, p]) => inJurisdiction(caller.principal, p.site_code)));
    const decisions = decideRows(
      rows.map((r, i) => {
        const previous = r.dto.personId ? hintedFacts.get(r.dto.personId) : undefined;
        return {
          identityKeys: identityKeys[i],
          sameLocalPersons: r.candidates.filter((s) => s.c.node === node && s.rules.includes('FULLNAME_DOB')).map((s) => s.c.reference),
          previous: previous ? { personId: previous.id, registeredByCaller: previous.registered_by === caller.principal.clientId } : null,
        };
      }),
    );

    const outcomes: Omit<Outcome, 'otherNodeMatches'>[] = new Array(rows.length);
    const events: IntakeEvent[] = [];
    const audits: AuditEntry[] = [];
    const actor = actorOf(caller.principal, node);
    const audit = (action: string, personId: string): AuditEntry => ({
      actor: caller.auditActor,
      requestId: caller.requestId,
      traceparent: caller.traceparent,
      action,
      objectType: 'person',
      objectId: personId,
      purpose: 'case-management',
      occurredAt: at,
    });

    // New persons: a data key each, encrypted identity, keys, a case each, possible duplicates.
    const registering = rows.map((r, i) => ({ r, i })).filter(({ i }) => decisions[i].kind === 'register');
    const fresh = registering.map(({ r }) => ({ id: randomUUID(), caseId: randomUUID(), r }));
    const references = await this.nextReferences(tx, sequence, fresh.length, at);
    const people: Person[] = [];
    const newCases: IntakeCase[] = [];
    const duplicates: FoundDuplicate[] = [];
    const sealed = this.vault.newPeople(fresh.map((f) => ({ personId: f.id, values: toPlainFields(f.r.data) })));
    fresh.forEach((f, n) => {
      const person: Person = {
        id: f.id,
        siteCode,
        sex: f.r.dto.sex,
        nationality: f.r.dto.nationality,
        ageBand: ageBandOf(ageInYears(f.r.data.birthDate, at)),
        vulnerabilityFlags: [],
        interpreterNeeded: false,
        ...encryptedColumns(sealed.fields[n]),
        registeredAt: at,
        registeredBy: caller.principal.clientId,
        updatedAt: at,
        erasedAt: null,
        version: 1,
      };
      const c = this.newCase(caller, f.caseId, references[n], siteCode, person.id, at);
      people.push(person);
      newCases.push(c);
      const found = f.r.candidates.map(({ c: other, score, rules }) => ({ id: randomUUID(), personId: person.id, caseId: c.id, otherNode: other.node, otherReference: other.reference, score, rules }));
      duplicates.push(...found);
      events.push(this.cases.openedEvent(caller, c, person, false), personRegistered(person, c.id, at, actor), ...found.map((d) => this.detector.foundEvent(d, at)));
      audits.push(audit('person.create', person.id));
    });
    registering.forEach(({ i }, n) => (outcomes[i] = { personId: fresh[n].id, caseId: fresh[n].caseId, outcome: 'registered', identityCorrected: false, caseOpened: true }));

    // Corrected identities of persons registered from a manifest.
    for (const [i, d] of decisions.entries()) {
      if (d.kind !== 'correct') continue;
      events.push(...(await this.correct(tx, rows[i], hintedFacts.get(d.personId) as PersonFacts, actor, at)));
      audits.push(audit('person.update', d.personId));
    }

    // Existing persons: their live case, or one opened now.
    const existing = decisions.flatMap((d) => (d.kind === 'match' || d.kind === 'correct' ? [d.personId] : []));
    const live = await this.liveCases(tx, existing);
    const needCase = [...new Set(existing.filter((p) => !live.has(p)))];
    const facts = await this.personFacts(tx, existing);
    const opened = new Map<string, string>();
    const moreReferences = await this.nextReferences(tx, sequence, needCase.length, at);
    needCase.forEach((personId, n) => {
      const p = facts.get(personId) as PersonFacts;
      const c = this.newCase(caller, randomUUID(), moreReferences[n], siteCode, personId, at);
      newCases.push(c);
      opened.set(personId, c.id);
      events.push(this.cases.openedEvent(caller, c, { ageBand: p.age_band, sex: p.sex, nationality: p.nationality, vulnerabilityFlags: p.vulnerability_flags }, false));
    });
    decisions.forEach((d, i) => {
      if (d.kind === 'register') return;
      if (d.kind === 'same-as-row') {
        outcomes[i] = { ...outcomes[d.row], outcome: 'matched', identityCorrected: false, caseOpened: false };
        audits.push(audit('person.match', outcomes[d.row].personId));
        return;
      }
      const caseOpened = opened.has(d.personId) && !outcomes.some((o) => o?.personId === d.personId);
      outcomes[i] = { personId: d.personId, caseId: live.get(d.personId) ?? (opened.get(d.personId) as string), outcome: 'matched', identityCorrected: d.kind === 'correct', caseOpened };
      if (d.kind === 'match') audits.push(audit('person.match', d.personId));
    });

    await sealed.insert(tx);
    await insertPeople(tx, people, fresh.map((f) => f.r.keys));
    await this.insertCases(tx, newCases, at);
    await this.insertDuplicates(tx, duplicates, at);
    await this.events.append(tx, caller.traceparent, events, at);
    // Last: the audit append lock is held from here to the commit.
    await this.audit.appendAll(tx, audits);
    const subjectOf = (i: number): PersonFacts | undefined => {
      const d = decisions[i];
      return d.kind === 'match' || d.kind === 'correct' ? facts.get(d.personId) : undefined;
    };
    return {
      outcomes: outcomes.map((o, i) => ({ ...o, otherNodeMatches: this.otherNodeMatches(rows[i], subjectOf(i)) })),
      committed: sealed.committed,
    };
  }

  /**
   * Stored keys (local persons' and partner nodes') sharing a value with any row's keys: one
   * lookup for the call. By value alone (one bitmap index scan, several times faster than probing
   * value and kid pair by pair); keys under another kid are left out by candidatesByRow. Local
   * fillers are not in the lookup index and not needed: they find no one else, and leaving them
   * out of a candidate's keys leaves its score as it was.
   */
  private async storedKeysSharing(tx: EntityManager, rows: Accepted[]): Promise<StoredKey[]> {
    const values = [...new Set(rows.flatMap((r) => r.keys.map((k) => k.value)))];
    return tx.query(
      `SELECT NULL::text AS node, m.person_id::text AS ref, m.kid, m.rule, m.value FROM person_match_key m WHERE m.value = ANY($1::text[]) AND m.searchable
       UNION ALL
       SELECT p.node::text, p.reference, p.kid, p.rule, p.value FROM partner_match_key p WHERE p.value = ANY($1::text[])`,
      [values],
    );
  }

  private async personFacts(tx: EntityManager, ids: string[]): Promise<Map<string, PersonFacts>> {
    if (ids.length === 0) return new Map();
    const rows: PersonFacts[] = await tx.query(
      `SELECT id, site_code, sex, nationality, age_band, vulnerability_flags, interpreter_needed, registered_by FROM person WHERE id = ANY($1::uuid[]) AND erased_at IS NULL`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Each person's most recent live case. */
  private async liveCases(tx: EntityManager, personIds: string[]): Promise<Map<string, string>> {
    if (personIds.length === 0) return new Map();
    const rows: { person_id: string; case_id: string }[] = await tx.query(
      `SELECT DISTINCT ON (cp.person_id) cp.person_id, c.id AS case_id FROM case_person cp JOIN intake_case c ON c.id = cp.case_id
       WHERE cp.person_id = ANY($1::uuid[]) AND c.status = ANY($2::text[]) ORDER BY cp.person_id, c.opened_at DESC, c.id`,
      [[...new Set(personIds)], LIVE_CASE_STATUSES],
    );
    return new Map(rows.map((r) => [r.person_id, r.case_id]));
  }

  /** `count` case references from the year's sequence, in one round trip on the transaction's connection. */
  private async nextReferences(tx: EntityManager, sequence: string, count: number, at: Date): Promise<string[]> {
    if (count === 0) return [];
    const rows: { n: string }[] = await tx.query(`SELECT nextval('${sequence}')::text AS n FROM generate_series(1, $1::int)`, [count]);
    return rows.map((r) => formatCaseReference({ node: this.config.PUENTE_NODE, year: at.getUTCFullYear(), sequence: Number(r.n) })).sort();
  }

  private newCase(caller: Caller, id: string, reference: string, siteCode: string, principalPersonId: string, at: Date): IntakeCase {
    return {
      id,
      reference,
      siteCode,
      custodyNode: this.config.PUENTE_NODE,
      status: 'open',
      priority: 'normal',
      principalPersonId,
      openedAt: at,
      openedBy: caller.principal.clientId,
      closedAt: null,
      closeReason: null,
      updatedAt: at,
      version: 1,
    };
  }

  /**
   * A manifest's correction of a person it registered: the corrected identity under the
   * person's data key, their match keys recomputed (published again if consented), PersonUpdated
   * on each of their cases.
   */
  private async correct(tx: EntityManager, row: Accepted, before: PersonFacts, actor: ReturnType<typeof actorOf>, at: Date): Promise<IntakeEvent[]> {
    const columns = encryptedColumns(await this.vault.encryptFields(before.id, toPlainFields(row.data), tx));
    const ageBand = ageBandOf(ageInYears(row.data.birthDate, at));
    await tx.query(
      `UPDATE person SET sex = $2, nationality = $3, age_band = $4, given_names_enc = $5, family_names_enc = $6, birth_date_enc = $7, updated_at = $8, version = version + 1 WHERE id = $1`,
      [before.id, row.dto.sex, row.dto.nationality, ageBand, columns.givenNamesEnc, columns.familyNamesEnc, columns.birthDateEnc, at],
    );
    await this.detector.storeKeys(tx, before.id, row.keys);
    const caseIds: string[] = ((await tx.query(`SELECT case_id FROM case_person WHERE person_id = $1 ORDER BY added_at, case_id`, [before.id])) as { case_id: string }[]).map((c) => c.case_id);
    const updated = {
      id: before.id,
      siteCode: before.site_code,
      sex: row.dto.sex,
      nationality: row.dto.nationality,
      ageBand,
      vulnerabilityFlags: before.vulnerability_flags,
      interpreterNeeded: before.interpreter_needed,
      updatedAt: at,
    };
    return [...caseIds.map((caseId) => personUpdated(updated, caseId, caseIds, actor)), ...(await this.matchKeys.afterKeysChanged(tx, before.id, row.keys, at))];
  }

  private async insertCases(tx: EntityManager, cases: IntakeCase[], at: Date): Promise<void> {
    if (cases.length === 0) return;
    const c0 = cases[0];
    await tx.query(
      `WITH c AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[]) AS c (id, reference, person_id)),
       case_insert AS (
         INSERT INTO intake_case (id, reference, site_code, custody_node, status, priority, principal_person_id, opened_at, opened_by, updated_at, version)
         SELECT c.id, c.reference, $4, $5, 'open', 'normal', c.person_id, $6, $7, $6, 1 FROM c)
       INSERT INTO case_person (case_id, person_id, added_at) SELECT c.id, c.person_id, $6 FROM c`,
      [cases.map((c) => c.id), cases.map((c) => c.reference), cases.map((c) => c.principalPersonId), c0.siteCode, c0.custodyNode, at, c0.openedBy],
    );
  }

  private async insertDuplicates(tx: EntityManager, found: FoundDuplicate[], at: Date): Promise<void> {
    if (found.length === 0) return;
    await tx.query(
      `INSERT INTO possible_duplicate (id, person_id, case_id, other_node, other_reference, rules, score, status, found_at)
       SELECT d.id, d.person_id, d.case_id, d.node, d.reference, string_to_array(d.rules, ','), d.score, 'open', $6
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $7::text[], $8::float8[]) AS d (id, person_id, case_id, node, reference, rules, score)`,
      [found.map((d) => d.id), found.map((d) => d.personId), found.map((d) => d.caseId), found.map((d) => d.otherNode), found.map((d) => d.otherReference), at, found.map((d) => d.rules.join(',')), found.map((d) => d.score)],
    );
  }

  /**
   * Records of other nodes (keys they shared under the person's identity-matching consent there)
   * at or above the threshold, best first; never one of the person's nationality's node while
   * the existing person's protection flags block it (fear of return, asylum claim or refugee
   * status here), as at the border.
   */
  private otherNodeMatches(row: Accepted, existing: PersonFacts | undefined): OtherNodeMatchDto[] {
    const subject: BorderSubject = {
      nationality: existing?.nationality ?? row.dto.nationality,
      ...protectionOf(existing?.vulnerability_flags ?? []),
      consents: [],
      sentTo: [],
      overrides: [],
    };
    return row.candidates
      .filter((s) => s.c.node !== this.config.PUENTE_NODE && !protectionBlocks(subject, { node: s.c.node, kinds: [] }))
      .map((s) => ({ node: s.c.node, reference: s.c.reference, score: s.score, rules: s.rules }));
  }
}
