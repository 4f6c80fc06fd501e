import { Injectable } from '@nestjs/common';
import { resourceNotFound } from '@puente/auth';
import { assertIfMatch, assertVersionUpdated, computeEtag, isUniqueViolation, type Page, paginate } from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { type Caller } from '@puente/audit';
import { alreadyExists, unknownReference } from '../common/problems';
import type { CreatePartnerDirectoryEntryDto, ListPartnersQueryDto, UpdatePartnerDirectoryEntryDto } from './partner-directory.dto';
import { PartnerDirectoryEntry } from './partner-directory-entry.entity';

export function partnerEtag(p: Pick<PartnerDirectoryEntry, 'id' | 'version'>): string {
  return computeEtag({ id: `partner:${p.id}`, version: p.version });
}

/** The partners consents may name (a directory; referral-routing owns the partners themselves). */
@Injectable()
export class PartnerDirectoryService {
  constructor(private readonly dataSource: DataSource) {}

  async create(dto: CreatePartnerDirectoryEntryDto): Promise<PartnerDirectoryEntry> {
    const now = new Date();
    try {
      return await this.dataSource.transaction(async (tx) => {
        await tx.insert(PartnerDirectoryEntry, { ...dto, active: true, createdAt: now, updatedAt: now, version: 1 });
        return tx.findOneByOrFail(PartnerDirectoryEntry, { id: dto.id });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw alreadyExists('id', 'partner');
      throw error;
    }
  }

  async update(caller: Caller, id: string, dto: UpdatePartnerDirectoryEntryDto): Promise<PartnerDirectoryEntry> {
    return this.dataSource.transaction(async (tx) => {
      const entry = await tx.findOne(PartnerDirectoryEntry, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!entry) throw resourceNotFound('partner');
      assertIfMatch(caller.request, partnerEtag(entry));
      const patch: Partial<PartnerDirectoryEntry> = { updatedAt: new Date() };
      if (dto.name !== undefined) patch.name = dto.name;
      if (dto.active !== undefined) patch.active = dto.active;
      assertVersionUpdated(
        await tx
          .createQueryBuilder()
          .update(PartnerDirectoryEntry)
          .set({ ...patch, version: () => 'version + 1' })
          .where('id = :id AND version = :version', { id, version: entry.version })
          .execute(),
      );
      return tx.findOneByOrFail(PartnerDirectoryEntry, { id });
    });
  }

  async get(id: string): Promise<PartnerDirectoryEntry> {
    const entry = await this.dataSource.getRepository(PartnerDirectoryEntry).findOneBy({ id });
    if (!entry) throw resourceNotFound('partner');
    return entry;
  }

  async list(query: ListPartnersQueryDto): Promise<Page<PartnerDirectoryEntry>> {
    const qb = this.dataSource.getRepository(PartnerDirectoryEntry).createQueryBuilder('p');
    if (query.country) qb.andWhere('p.country = :country', { country: query.country });
    return paginate(qb, { limit: query.limit, cursor: query.cursor, sort: [{ column: 'p.id', key: 'i' }], scope: `partners?country=${query.country ?? ''}` });
  }

  /** An active partner a consent may name; 422 naming `field` otherwise. */
  async requireActive(tx: EntityManager, id: string, field = 'partnerId'): Promise<PartnerDirectoryEntry> {
    const entry = await tx.findOneBy(PartnerDirectoryEntry, { id });
    if (!entry || !entry.active) throw unknownReference(field, 'active partner');
    return entry;
  }
}
