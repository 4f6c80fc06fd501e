import { Injectable } from '@nestjs/common';
import { assertJurisdiction, type Principal, resourceNotFound } from '@puente/auth';
import { assertIfMatch, assertVersionUpdated, computeEtag, isUniqueViolation, type Page, paginate } from '@puente/platform';
import type { FastifyRequest } from 'fastify';
import { DataSource, type EntityManager } from 'typeorm';
import { alreadyExists } from '../problems';
import type { CreateCenterDto, ListCentersQueryDto, UpdateCenterDto } from './center.dto';
import { Center } from './center.entity';

export function centerEtag(center: Pick<Center, 'code' | 'version'>): string {
  return computeEtag({ id: `center:${center.code}`, version: center.version });
}

/** Reception centers: registered and corrected by centers:admin in the caller's jurisdiction; read by anyone handling arrivals. */
@Injectable()
export class CentersService {
  constructor(private readonly dataSource: DataSource) {}

  async create(principal: Principal, dto: CreateCenterDto): Promise<Center> {
    assertJurisdiction(principal, dto.code);
    const now = new Date();
    try {
      await this.dataSource.getRepository(Center).insert({
        code: dto.code,
        name: dto.name,
        country: dto.code.slice(0, 2),
        kind: dto.kind,
        location: dto.location,
        dailyCapacity: dto.dailyCapacity,
        services: dto.services,
        operatingPartnerId: dto.operatingPartnerId,
        active: true,
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw alreadyExists('code', 'center');
      throw error;
    }
    return this.get(dto.code);
  }

  async update(principal: Principal, request: FastifyRequest, code: string, dto: UpdateCenterDto): Promise<Center> {
    return this.dataSource.transaction(async (tx) => {
      const center = await tx.findOne(Center, { where: { code }, lock: { mode: 'pessimistic_write' } });
      if (!center) throw resourceNotFound('center');
      assertJurisdiction(principal, center.code);
      assertIfMatch(request, centerEtag(center));
      const patch: Partial<Center> = { updatedAt: new Date() };
      for (const field of ['name', 'kind', 'location', 'dailyCapacity', 'services', 'operatingPartnerId', 'active'] as const) {
        if (dto[field] !== undefined) Object.assign(patch, { [field]: dto[field] });
      }
      assertVersionUpdated(
        await tx
          .createQueryBuilder()
          .update(Center)
          .set({ ...patch, version: () => 'version + 1' })
          .where('code = :code AND version = :version', { code, version: center.version })
          .execute(),
      );
      return tx.findOneByOrFail(Center, { code });
    });
  }

  async get(code: string, manager: EntityManager = this.dataSource.manager): Promise<Center> {
    const center = await manager.findOneBy(Center, { code });
    if (!center) throw resourceNotFound('center');
    return center;
  }

  async list(query: ListCentersQueryDto): Promise<Page<Center>> {
    const qb = this.dataSource.getRepository(Center).createQueryBuilder('c');
    if (query.country) qb.andWhere('c.country = :country', { country: query.country });
    if (query.kind) qb.andWhere('c.kind = :kind', { kind: query.kind });
    if (query.active !== undefined) qb.andWhere('c.active = :active', { active: query.active });
    return paginate(qb, {
      limit: query.limit,
      cursor: query.cursor,
      sort: [{ column: 'c.code', key: 'c' }],
      scope: `centers?country=${query.country ?? ''}&kind=${query.kind ?? ''}&active=${String(query.active ?? '')}`,
    });
  }
}
