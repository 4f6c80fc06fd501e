import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { assertJurisdiction, resourceNotFound } from '@puente/auth';
import { AgeBand, ChildCareStatus, HouseholdChangedSchema, Relationship, toTimestamp } from '@puente/contracts';
import { assertIfMatch, assertVersionUpdated, computeEtag, isUniqueViolation, validationProblem } from '@puente/platform';
import { PersonVault } from '@puente/privacy';
import { AuditLog, type Caller } from '@puente/audit';
import { DataSource, type EntityManager } from 'typeorm';
import { CaseOpener } from '../cases/case-opener';
import { IntakeCase } from '../cases/case.entity';
import { acceptsChanges } from '../cases/case-status';
import { actorOf } from '../common/actor';
import { auditAgeDerivation } from '../persons/age-derivation-audit';
import { type RelationshipValue, toProto } from '../common/enums';
import { alreadyExists, fieldProblem, illegalTransition, rethrowPrivacy, unknownReference } from '../common/problems';
import { IntakeConfig } from '../config/intake.config';
import { event, IntakeEvents } from '../events/intake-events';
import { isMinor, isMinorBand } from '../persons/age';
import { Person } from '../persons/person.entity';
import { decryptPersonalData } from '../persons/personal-data';
import { deriveCareStatuses, isUnaccompaniedOrSeparated } from './care-status';
import { type CreateHouseholdDto, type HouseholdDto, MAX_HOUSEHOLD_MEMBERS } from './household.dto';
import { Household, HouseholdMember } from './household.entity';

export function householdEtag(h: Pick<Household, 'id' | 'version'>): string {
  return computeEtag({ id: h.id, version: h.version });
}

interface Draft {
  personId: string;
  relationship: RelationshipValue;
}

/**
 * Households: who travels together on a case, with relationships to the principal applicant.
 * Every change re-derives each member's care status (unaccompanied / separated children) and
 * publishes HouseholdChanged with the whole membership.
 */
@Injectable()
export class HouseholdsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly opener: CaseOpener,
    private readonly vault: PersonVault,
    private readonly events: IntakeEvents,
    private readonly audit: AuditLog,
    private readonly config: IntakeConfig,
  ) {}

  async create(caller: Caller, dto: CreateHouseholdDto): Promise<HouseholdDto> {
    const seen = new Map<string, number>();
    const errors = dto.members.flatMap((m, i) => {
      const first = seen.get(m.personId);
      seen.set(m.personId, first ?? i);
      return first === undefined ? [] : [{ field: `members[${i}].personId`, message: `the person is already members[${first}]`, code: 'duplicateMember' }];
    });
    const principals = dto.members.map((m, i) => [m, i] as const).filter(([m]) => m.relationship === 'principal');
    if (principals.length !== 1) errors.push({ field: 'members', message: 'exactly one member has the relationship principal', code: 'onePrincipal' });
    if (errors.length > 0) throw validationProblem(errors);

    return this.dataSource
      .transaction(async (tx) => {
        const c = await this.opener.lockForChange(tx, caller, dto.caseId);
        const [principal, index] = principals[0];
        if (principal.personId !== c.principalPersonId) {
          throw fieldProblem(`members[${index}].personId`, 'the principal of the household is the principal applicant of the case', 'principalMismatch');
        }
        await this.requireOnCase(tx, c.id, dto.members.map((m) => m.personId));
        const now = new Date();
        const household: Household = { id: randomUUID(), caseId: c.id, createdAt: now, updatedAt: now, version: 1 };
        try {
          await tx.insert(Household, household);
        } catch (error) {
          if (isUniqueViolation(error)) throw alreadyExists('caseId', 'household');
          throw error;
        }
        return this.save(tx, caller, household, c, dto.members, now);
      })
      .catch(rethrowPrivacy);
  }

  async get(caller: Caller, householdId: string): Promise<HouseholdDto> {
    const db = this.dataSource.manager;
    const household = await db.findOneBy(Household, { id: householdId });
    if (!household) throw resourceNotFound('household');
    const c = await db.findOneByOrFail(IntakeCase, { id: household.caseId });
    assertJurisdiction(caller.principal, c.siteCode, { hideAs: 'household' });
    return this.view(db, household);
  }

  async getForCase(caller: Caller, caseId: string): Promise<HouseholdDto> {
    const db = this.dataSource.manager;
    const c = await db.findOneBy(IntakeCase, { id: caseId });
    if (!c) throw resourceNotFound('case');
    assertJurisdiction(caller.principal, c.siteCode, { hideAs: 'case' });
    const household = await db.findOneBy(Household, { caseId });
    if (!household) throw resourceNotFound('household');
    return this.view(db, household);
  }

  /** Adds a member (If-Match on the household). A person already in the household is a 409. */
  async addMember(caller: Caller, householdId: string, member: Draft): Promise<HouseholdDto> {
    return this.change(caller, householdId, async (tx, current, c) => {
      if (current.some((m) => m.personId === member.personId)) {
        throw alreadyExists('personId', 'household member');
      }
      if (current.length >= MAX_HOUSEHOLD_MEMBERS) throw fieldProblem('personId', `a household has at most ${MAX_HOUSEHOLD_MEMBERS} members`, 'maxMembers');
      if (member.relationship === 'principal') throw fieldProblem('relationship', 'the household already has its principal', 'onePrincipal');
      await this.requireOnCase(tx, c.id, [member.personId], 'personId');
      return [...current, member];
    });
  }

  /** Changes a member's relationship (not the principal's). */
  async setRelationship(caller: Caller, householdId: string, personId: string, relationship: RelationshipValue): Promise<HouseholdDto> {
    return this.change(caller, householdId, async (_tx, current) => {
      const found = current.find((m) => m.personId === personId);
      if (!found) throw resourceNotFound('household member');
      if (found.relationship === 'principal' || relationship === 'principal') throw fieldProblem('relationship', 'the principal applicant cannot be changed here', 'onePrincipal');
      return current.map((m) => (m.personId === personId ? { ...m, relationship } : m));
    });
  }

  /** Removes a member (not the principal). */
  async removeMember(caller: Caller, householdId: string, personId: string): Promise<HouseholdDto> {
    return this.change(caller, householdId, async (_tx, current) => {
      const found = current.find((m) => m.personId === personId);
      if (!found) throw resourceNotFound('household member');
      if (found.relationship === 'principal') throw illegalTransition('The principal applicant cannot leave the household.');
      return current.filter((m) => m.personId !== personId);
    });
  }

  private async change(
    caller: Caller,
    householdId: string,
    mutate: (tx: EntityManager, current: Draft[], c: IntakeCase) => Promise<Draft[]>,
  ): Promise<HouseholdDto> {
    return this.dataSource
      .transaction(async (tx) => {
        const household = await tx.findOneBy(Household, { id: householdId });
        if (!household) throw resourceNotFound('household');
        const c = await tx.findOne(IntakeCase, { where: { id: household.caseId }, lock: { mode: 'pessimistic_write' } });
        if (!c) throw resourceNotFound('household');
        assertJurisdiction(caller.principal, c.siteCode, { hideAs: 'household' });
        const locked = await tx.findOneOrFail(Household, { where: { id: householdId }, lock: { mode: 'pessimistic_write' } });
        assertIfMatch(caller.request, householdEtag(locked));
        if (!acceptsChanges(c.status)) throw illegalTransition(`The case is ${c.status}; its household cannot change.`, { status: c.status });
        const existing = await tx.find(HouseholdMember, { where: { householdId }, order: { position: 'ASC' } });
        const current = existing.map((m) => ({ personId: m.personId, relationship: m.relationship }));
        const next = await mutate(tx, current, c);
        const now = new Date();
        assertVersionUpdated(
          await tx
            .createQueryBuilder()
            .update(Household)
            .set({ updatedAt: now, version: () => 'version + 1' })
            .where('id = :id AND version = :version', { id: householdId, version: locked.version })
            .execute(),
        );
        await tx.delete(HouseholdMember, { householdId });
        return this.save(tx, caller, { ...locked, updatedAt: now, version: locked.version + 1 }, c, next, now, new Map(existing.map((m) => [m.personId, m.addedAt])));
      })
      .catch(rethrowPrivacy);
  }

  /** Derives care statuses, writes the members and appends HouseholdChanged. */
  private async save(tx: EntityManager, caller: Caller, household: Household, c: IntakeCase, members: Draft[], now: Date, addedAt = new Map<string, Date>()): Promise<HouseholdDto> {
    const persons = await tx.findBy(Person, members.map((m) => ({ id: m.personId })));
    const byId = new Map(persons.map((p) => [p.id, p]));
    const minors = new Map<string, boolean | undefined>();
    const decrypted: string[] = [];
    for (const m of members) {
      const person = byId.get(m.personId) as Person;
      minors.set(m.personId, await this.minorStatus(tx, person, now));
      if (!person.erasedAt) decrypted.push(person.id);
    }
    const statuses = deriveCareStatuses(members.map((m) => ({ ...m, minor: minors.get(m.personId) })));
    const ordered = [...members].sort((a, b) => Number(b.relationship === 'principal') - Number(a.relationship === 'principal'));
    const rows: HouseholdMember[] = ordered.map((m, position) => ({
      householdId: household.id,
      personId: m.personId,
      relationship: m.relationship,
      careStatus: statuses.get(m.personId) ?? 'not_a_child',
      position,
      addedAt: addedAt.get(m.personId) ?? now,
    }));
    if (rows.length > 0) await tx.insert(HouseholdMember, rows);
    await this.events.append(
      tx,
      caller.traceparent,
      [
        event(
          HouseholdChangedSchema,
          {
            householdId: household.id,
            caseId: c.id,
            members: rows.map((r) => ({
              personId: r.personId,
              relationship: toProto(Relationship, r.relationship),
              ageBand: toProto(AgeBand, (byId.get(r.personId) as Person).ageBand),
              unaccompaniedOrSeparated: isUnaccompaniedOrSeparated(r.careStatus),
              careStatus: toProto(ChildCareStatus, r.careStatus),
            })),
            changedAt: toTimestamp(now),
            changedBy: actorOf(caller.principal, this.config.PUENTE_NODE),
          },
          c.id,
        ),
      ],
      now,
    );
    await auditAgeDerivation(this.audit, tx, caller, decrypted, now);
    return this.view(tx, { ...household, updatedAt: now });
  }

  /**
   * Whether a member is a child today: from the birth date (decrypted inside intake, never
   * returned), or from the age band once the person was erased.
   */
  private async minorStatus(tx: EntityManager, person: Person, now: Date): Promise<boolean | undefined> {
    if (person.erasedAt) return person.ageBand === 'unknown' ? undefined : isMinorBand(person.ageBand);
    const data = await decryptPersonalData(this.vault, person, tx);
    if ('erased' in data) return person.ageBand === 'unknown' ? undefined : isMinorBand(person.ageBand);
    return isMinor(data.birthDate, now);
  }

  /** Every person must already be on the case (registered with its caseId): 422 naming the member otherwise. */
  private async requireOnCase(tx: EntityManager, caseId: string, personIds: string[], field?: string): Promise<void> {
    const rows: { person_id: string }[] = await tx.query('SELECT person_id FROM case_person WHERE case_id = $1 AND person_id = ANY($2::uuid[])', [caseId, personIds]);
    const onCase = new Set(rows.map((r) => r.person_id));
    const missing = personIds.findIndex((id) => !onCase.has(id));
    if (missing >= 0) throw unknownReference(field ?? `members[${missing}].personId`, 'person on this case');
  }

  private async view(db: EntityManager, household: Household): Promise<HouseholdDto> {
    const rows: { person_id: string; relationship: RelationshipValue; care_status: HouseholdDto['members'][number]['careStatus']; age_band: string }[] = await db.query(
      `SELECT m.person_id, m.relationship, m.care_status, p.age_band FROM household_member m JOIN person p ON p.id = m.person_id
       WHERE m.household_id = $1 ORDER BY m.position`,
      [household.id],
    );
    const current = await db.findOneByOrFail(Household, { id: household.id });
    const members = rows.map((r) => ({
      personId: r.person_id,
      relationship: r.relationship,
      ageBand: r.age_band,
      careStatus: r.care_status,
      unaccompaniedOrSeparated: isUnaccompaniedOrSeparated(r.care_status),
    }));
    return {
      id: current.id,
      caseId: current.caseId,
      members,
      unaccompaniedChildren: members.filter((m) => m.careStatus === 'unaccompanied').length,
      separatedChildren: members.filter((m) => m.careStatus === 'separated').length,
      updatedAt: current.updatedAt.toISOString(),
      version: current.version,
    };
  }
}
