import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { assertJurisdiction } from '@puente/auth';
import { CaseClosedSchema, CaseCloseReason, CaseStatus, toTimestamp } from '@puente/contracts';
import { caseStatusChanged } from './case-events';
import { assertIfMatch, assertVersionUpdated, computeEtag, type Page, paginate } from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { type Caller } from '@puente/audit';
import { actorOf } from '../common/actor';
import { type CaseStatusValue, toProto } from '../common/enums';
import { jurisdictionCondition } from '../common/jurisdiction';
import { illegalTransition, unknownReference } from '../common/problems';
import { IntakeConfig } from '../config/intake.config';
import { event, type IntakeEvent, IntakeEvents } from '../events/intake-events';
import { Person } from '../persons/person.entity';
import { SitesService } from '../sites/sites.service';
import { CaseOpener, caseNotFound } from './case-opener';
import { type CaseDto, type CloseCaseDto, type OpenCaseDto, type SearchCasesQueryDto, toCaseDto, type UpdateCaseDto } from './case.dto';
import { IntakeCase } from './case.entity';
import { canChangeStatus, canClose } from './case-status';

export function caseEtag(c: Pick<IntakeCase, 'id' | 'version'>): string {
  return computeEtag({ id: c.id, version: c.version });
}

/** Opening, reading, searching, re-prioritizing, moving and closing cases. */
@Injectable()
export class CasesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly opener: CaseOpener,
    private readonly sites: SitesService,
    private readonly events: IntakeEvents,
    private readonly config: IntakeConfig,
  ) {}

  /** A new case for an already registered person (e.g. a returnee's reception case). */
  async open(caller: Caller, dto: OpenCaseDto): Promise<CaseDto> {
    const now = new Date();
    const reference = await this.opener.prepare(now);
    return this.dataSource.transaction(async (tx) => {
      const site = await this.sites.requireActiveSite(tx, caller, dto.siteCode);
      const person = await tx.findOneBy(Person, { id: dto.personId });
      if (!person || person.erasedAt) throw unknownReference('personId', 'registered person');
      try {
        assertJurisdiction(caller.principal, person.siteCode, { hideAs: 'person' });
      } catch {
        throw unknownReference('personId', 'registered person');
      }
      const opened = await this.opener.open(tx, caller, {
        caseId: randomUUID(),
        siteCode: site.code,
        priority: dto.priority ?? 'normal',
        household: dto.household ?? false,
        principal: person,
        at: now,
        reference,
      });
      await this.events.append(tx, caller.traceparent, opened.events, now);
      return this.dto(tx, opened.case);
    });
  }

  async get(caller: Caller, caseId: string): Promise<CaseDto> {
    const found = await this.dataSource.manager.findOneBy(IntakeCase, { id: caseId });
    if (!found) throw caseNotFound();
    assertJurisdiction(caller.principal, found.siteCode, { hideAs: 'case' });
    return this.dto(this.dataSource.manager, found);
  }

  /** Cases in the caller's jurisdictions, newest first, by reference, site, status, opening date and match key. */
  async search(caller: Caller, query: SearchCasesQueryDto): Promise<Page<CaseDto>> {
    const qb = this.dataSource.getRepository(IntakeCase).createQueryBuilder('c');
    const scope = jurisdictionCondition('c.site_code', caller.principal);
    qb.where(scope.sql, scope.params);
    if (query.reference) qb.andWhere('c.reference = :reference', { reference: query.reference });
    if (query.siteCode) qb.andWhere('c.site_code = :siteCode', { siteCode: query.siteCode });
    if (query.status) qb.andWhere('c.status = :status', { status: query.status });
    if (query.openedFrom) qb.andWhere('c.opened_at >= :openedFrom', { openedFrom: new Date(query.openedFrom) });
    if (query.openedTo) qb.andWhere('c.opened_at < :openedTo', { openedTo: new Date(query.openedTo) });
    if (query.matchKey) {
      qb.andWhere('c.id IN (SELECT cp.case_id FROM case_person cp JOIN person_match_key k ON k.person_id = cp.person_id WHERE k.value = :matchKey AND k.searchable)', {
        matchKey: query.matchKey,
      });
    }
    const filters = ['reference', 'siteCode', 'status', 'openedFrom', 'openedTo', 'matchKey'].map((k) => `${k}=${String(query[k as keyof SearchCasesQueryDto] ?? '')}`);
    const page = await paginate(qb, {
      limit: query.limit,
      cursor: query.cursor,
      direction: 'desc',
      sort: [
        { column: 'c.opened_at', key: 't', type: 'timestamp' },
        { column: 'c.id', key: 'id', type: 'uuid' },
      ],
      scope: `cases?${filters.join('&')}&j=${caller.principal.jurisdictions.join(',')}`,
    });
    const members = await this.membersOf(this.dataSource.manager, page.items.map((c) => c.id));
    return { items: page.items.map((c) => toCaseDto(c, members.persons.get(c.id) ?? [], members.households.get(c.id) ?? null)), nextCursor: page.nextCursor };
  }

  /** Status (allowed transitions only) and priority, with If-Match. */
  async update(caller: Caller, caseId: string, dto: UpdateCaseDto): Promise<CaseDto> {
    return this.dataSource.transaction(async (tx) => {
      const found = await this.opener.lockById(tx, caller, caseId);
      assertIfMatch(caller.request, caseEtag(found));
      const now = new Date();
      const events: IntakeEvent[] = [];
      const patch: Partial<IntakeCase> = { updatedAt: now };
      if (dto.status !== undefined && dto.status !== found.status) {
        if (!canChangeStatus(found.status, dto.status)) {
          throw illegalTransition(`A case cannot go from ${found.status} to ${dto.status}.`, { from: found.status, to: dto.status });
        }
        patch.status = dto.status;
        events.push(this.statusChanged(caller, found, found.status, dto.status, now));
      }
      if (dto.priority !== undefined) patch.priority = dto.priority;
      await this.write(tx, found, patch);
      await this.events.append(tx, caller.traceparent, events, now);
      return this.dto(tx, await tx.findOneByOrFail(IntakeCase, { id: caseId }));
    });
  }

  /** Closes the case with a reason (CaseStatusChanged then CaseClosed). */
  async close(caller: Caller, caseId: string, dto: CloseCaseDto): Promise<CaseDto> {
    return this.dataSource.transaction(async (tx) => {
      const found = await this.opener.lockById(tx, caller, caseId);
      assertIfMatch(caller.request, caseEtag(found));
      if (!canClose(found.status)) throw illegalTransition('The case is already closed.', { from: found.status, to: 'closed' });
      const now = new Date();
      await this.write(tx, found, { status: 'closed', closedAt: now, closeReason: dto.reason, updatedAt: now });
      await this.events.append(
        tx,
        caller.traceparent,
        [
          this.statusChanged(caller, found, found.status, 'closed', now),
          event(
            CaseClosedSchema,
            {
              caseId,
              closedAt: toTimestamp(now),
              reason: toProto(CaseCloseReason, dto.reason),
              closedBy: actorOf(caller.principal, this.config.PUENTE_NODE),
              fromStatus: toProto(CaseStatus, found.status),
            },
            caseId,
          ),
        ],
        now,
      );
      return this.dto(tx, await tx.findOneByOrFail(IntakeCase, { id: caseId }));
    });
  }

  private statusChanged(caller: Caller, c: IntakeCase, from: CaseStatusValue, to: CaseStatusValue, at: Date): IntakeEvent {
    return caseStatusChanged(c.id, from, to, at, actorOf(caller.principal, this.config.PUENTE_NODE));
  }

  private async write(tx: EntityManager, c: IntakeCase, patch: Partial<IntakeCase>): Promise<void> {
    assertVersionUpdated(
      await tx
        .createQueryBuilder()
        .update(IntakeCase)
        .set({ ...patch, version: () => 'version + 1' })
        .where('id = :id AND version = :version', { id: c.id, version: c.version })
        .execute(),
    );
  }

  async dto(db: EntityManager, c: IntakeCase): Promise<CaseDto> {
    const members = await this.membersOf(db, [c.id]);
    return toCaseDto(c, members.persons.get(c.id) ?? [], members.households.get(c.id) ?? null);
  }

  private async membersOf(db: EntityManager, caseIds: string[]): Promise<{ persons: Map<string, string[]>; households: Map<string, string> }> {
    const persons = new Map<string, string[]>();
    const households = new Map<string, string>();
    if (caseIds.length === 0) return { persons, households };
    const rows: { case_id: string; person_id: string }[] = await db.query(
      `SELECT cp.case_id, cp.person_id FROM case_person cp JOIN intake_case c ON c.id = cp.case_id
       WHERE cp.case_id = ANY($1::uuid[]) ORDER BY (cp.person_id = c.principal_person_id) DESC, cp.added_at, cp.person_id`,
      [caseIds],
    );
    for (const r of rows) persons.set(r.case_id, [...(persons.get(r.case_id) ?? []), r.person_id]);
    const hh: { case_id: string; id: string }[] = await db.query('SELECT case_id, id FROM household WHERE case_id = ANY($1::uuid[])', [caseIds]);
    for (const h of hh) households.set(h.case_id, h.id);
    return { persons, households };
  }
}
