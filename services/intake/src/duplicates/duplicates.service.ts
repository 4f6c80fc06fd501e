import { Injectable } from '@nestjs/common';
import { assertJurisdiction, resourceNotFound } from '@puente/auth';
import { DuplicateResolution, PossibleDuplicateResolvedSchema, toTimestamp } from '@puente/contracts';
import { type Page, paginate } from '@puente/platform';
import { DataSource } from 'typeorm';
import { type Caller } from '@puente/audit';
import { IntakeCase } from '../cases/case.entity';
import { actorOf } from '../common/actor';
import { toProto } from '../common/enums';
import { jurisdictionCondition } from '../common/jurisdiction';
import { illegalTransition } from '../common/problems';
import { IntakeConfig } from '../config/intake.config';
import { event, IntakeEvents } from '../events/intake-events';
import { type ListDuplicatesQueryDto, type PossibleDuplicateDto, toDuplicateDto } from './duplicate.dto';
import { PossibleDuplicate } from './duplicate.entities';

/** Reviewing possible duplicates: list them, link (same person) or dismiss (not the same person). */
@Injectable()
export class DuplicatesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: IntakeEvents,
    private readonly config: IntakeConfig,
  ) {}

  async list(caller: Caller, query: ListDuplicatesQueryDto): Promise<Page<PossibleDuplicateDto>> {
    const qb = this.dataSource.getRepository(PossibleDuplicate).createQueryBuilder('d').innerJoin(IntakeCase, 'c', 'c.id = d.case_id');
    const scope = jurisdictionCondition('c.site_code', caller.principal);
    qb.where(scope.sql, scope.params);
    if (query.status) qb.andWhere('d.status = :status', { status: query.status });
    if (query.siteCode) qb.andWhere('c.site_code = :siteCode', { siteCode: query.siteCode });
    if (query.personId) {
      qb.andWhere('(d.person_id = :personId OR (d.other_node = :node AND d.other_reference = :personIdText))', {
        personId: query.personId,
        personIdText: query.personId,
        node: this.config.PUENTE_NODE,
      });
    }
    const page = await paginate(qb, {
      limit: query.limit,
      cursor: query.cursor,
      direction: 'desc',
      sort: [
        { column: 'd.found_at', key: 't', type: 'timestamp' },
        { column: 'd.id', key: 'id', type: 'uuid' },
      ],
      scope: `duplicates?status=${query.status ?? ''}&personId=${query.personId ?? ''}&siteCode=${query.siteCode ?? ''}&j=${caller.principal.jurisdictions.join(',')}`,
    });
    return { items: page.items.map(toDuplicateDto), nextCursor: page.nextCursor };
  }

  async get(caller: Caller, id: string): Promise<PossibleDuplicateDto> {
    const d = await this.dataSource.manager.findOneBy(PossibleDuplicate, { id });
    if (!d) throw resourceNotFound('possible duplicate');
    const c = await this.dataSource.manager.findOneByOrFail(IntakeCase, { id: d.caseId });
    assertJurisdiction(caller.principal, c.siteCode, { hideAs: 'possible duplicate' });
    return toDuplicateDto(d);
  }

  /** A caseworker's decision on an open possible duplicate (409 once decided). */
  async resolve(caller: Caller, id: string, resolution: 'linked' | 'dismissed'): Promise<PossibleDuplicateDto> {
    return this.dataSource.transaction(async (tx) => {
      const d = await tx.findOneBy(PossibleDuplicate, { id });
      if (!d) throw resourceNotFound('possible duplicate');
      const c = await tx.findOne(IntakeCase, { where: { id: d.caseId }, lock: { mode: 'pessimistic_write' } });
      if (!c) throw resourceNotFound('possible duplicate');
      assertJurisdiction(caller.principal, c.siteCode, { hideAs: 'possible duplicate' });
      const locked = await tx.findOneOrFail(PossibleDuplicate, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (locked.status !== 'open') throw illegalTransition(`The possible duplicate was already ${locked.status}.`, { status: locked.status });
      const now = new Date();
      await tx.update(PossibleDuplicate, { id }, { status: resolution, resolvedAt: now, resolvedBy: caller.principal.clientId, version: locked.version + 1 });
      await this.events.append(
        tx,
        caller.traceparent,
        [
          event(
            PossibleDuplicateResolvedSchema,
            {
              duplicateId: id,
              personId: locked.personId,
              caseId: locked.caseId,
              otherReference: locked.otherReference,
              otherNode: locked.otherNode,
              resolution: toProto(DuplicateResolution, resolution),
              resolvedAt: toTimestamp(now),
              resolvedBy: actorOf(caller.principal, this.config.PUENTE_NODE),
            },
            locked.caseId,
          ),
        ],
        now,
      );
      return toDuplicateDto(await tx.findOneByOrFail(PossibleDuplicate, { id }));
    });
  }
}
