import { Injectable } from '@nestjs/common';
import { resourceNotFound } from '@puente/auth';
import { computeEtag, type Page, paginate } from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { unknownReference } from '../common/problems';
import type { ListPartnersQueryDto } from './partner-directory.dto';
import { PartnerDirectoryEntry } from './partner-directory-entry.entity';

export function partnerEtag(p: Pick<PartnerDirectoryEntry, 'id' | 'version'>): string {
  return computeEtag({ id: `partner:${p.id}`, version: p.version });
}

/** The partners consents may name, as followed from referral-routing's directory (read only here). */
@Injectable()
export class PartnerDirectoryService {
  constructor(private readonly dataSource: DataSource) {}

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
