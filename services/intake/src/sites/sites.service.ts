import { Injectable } from '@nestjs/common';
import { assertJurisdiction, resourceNotFound } from '@puente/auth';
import { assertIfMatch, assertVersionUpdated, computeEtag, isUniqueViolation, type Page, paginate, queryPrepared } from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { type Caller } from '@puente/audit';
import { isCountryCode } from '../common/iso-codes';
import { alreadyExists, fieldProblem, unknownReference } from '../common/problems';
import type { CreateSiteDto, ListSitesQueryDto, UpdateSiteDto } from './site.dto';
import { Site } from './site.entity';

/** Every site read by code (the hottest read of the platform): columns under the entity's property names. */
const SITE_BY_CODE = `SELECT code, name, country, kind, locality, operating_partner_id AS "operatingPartnerId", active,
         created_at AS "createdAt", updated_at AS "updatedAt", version
    FROM site WHERE code = $1`;

export function siteEtag(site: Pick<Site, 'code' | 'version'>): string {
  return computeEtag({ id: `site:${site.code}`, version: site.version });
}

/** Registration points: create and correct them (sites:admin, in the caller's jurisdiction), list and read them. */
@Injectable()
export class SitesService {
  constructor(private readonly dataSource: DataSource) {}

  async create(caller: Caller, dto: CreateSiteDto): Promise<Site> {
    const country = dto.code.slice(0, 2);
    if (!isCountryCode(country)) throw fieldProblem('code', 'code must start with an ISO 3166-1 alpha-2 country code', 'isCountryCode');
    assertJurisdiction(caller.principal, dto.code);
    const now = new Date();
    try {
      return await this.dataSource.transaction(async (tx) => {
        await tx.insert(Site, {
          code: dto.code,
          name: dto.name,
          country,
          kind: dto.kind,
          locality: dto.locality ?? null,
          operatingPartnerId: dto.operatingPartnerId ?? null,
          active: true,
          createdAt: now,
          updatedAt: now,
          version: 1,
        });
        return tx.findOneByOrFail(Site, { code: dto.code });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw alreadyExists('code', 'site');
      throw error;
    }
  }

  async update(caller: Caller, code: string, dto: UpdateSiteDto): Promise<Site> {
    return this.dataSource.transaction(async (tx) => {
      const site = await tx.findOne(Site, { where: { code }, lock: { mode: 'pessimistic_write' } });
      if (!site) throw resourceNotFound('site');
      assertJurisdiction(caller.principal, site.code);
      assertIfMatch(caller.request, siteEtag(site));
      const patch: Partial<Site> = { updatedAt: new Date() };
      if (dto.name !== undefined) patch.name = dto.name;
      if (dto.kind !== undefined) patch.kind = dto.kind;
      if (dto.locality !== undefined) patch.locality = dto.locality;
      if (dto.operatingPartnerId !== undefined) patch.operatingPartnerId = dto.operatingPartnerId;
      if (dto.active !== undefined) patch.active = dto.active;
      assertVersionUpdated(
        await tx
          .createQueryBuilder()
          .update(Site)
          .set({ ...patch, version: () => 'version + 1' })
          .where('code = :code AND version = :version', { code, version: site.version })
          .execute(),
      );
      return tx.findOneByOrFail(Site, { code });
    });
  }

  async get(code: string): Promise<Site> {
    const [site] = await queryPrepared<Site>(this.dataSource.manager, SITE_BY_CODE, [code]);
    if (!site) throw resourceNotFound('site');
    return site;
  }

  async list(query: ListSitesQueryDto): Promise<Page<Site>> {
    const qb = this.dataSource.getRepository(Site).createQueryBuilder('s');
    if (query.country) qb.andWhere('s.country = :country', { country: query.country });
    if (query.kind) qb.andWhere('s.kind = :kind', { kind: query.kind });
    if (query.active !== undefined) qb.andWhere('s.active = :active', { active: query.active });
    return paginate(qb, {
      limit: query.limit,
      cursor: query.cursor,
      sort: [{ column: 's.code', key: 'c' }],
      scope: `sites?country=${query.country ?? ''}&kind=${query.kind ?? ''}&active=${String(query.active ?? '')}`,
    });
  }

  /**
   * The site a caller registers or opens a case at: 422 naming `field` when it does not exist or
   * is inactive, 403 when outside the caller's jurisdiction.
   */
  async requireActiveSite(tx: EntityManager, caller: Caller, code: string, field = 'siteCode'): Promise<Site> {
    const site = await tx.findOneBy(Site, { code });
    if (!site || !site.active) throw unknownReference(field, 'active site');
    assertJurisdiction(caller.principal, site.code);
    return site;
  }
}
