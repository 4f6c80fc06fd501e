import { Injectable, Logger } from '@nestjs/common';
import { assertJurisdiction, type Principal } from '@puente/auth';
import { type Page, paginate } from '@puente/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { CentersService } from '../centers/centers.service';
import type { ListOutcomesQueryDto } from './outcome.dto';
import { ReintegrationOutcome } from './reintegration-outcome.entity';
import type { OutcomeRecord } from './reintegration-outcomes';

@Injectable()
export class ReintegrationOutcomesService {
  private readonly logger = new Logger('ReintegrationOutcomes');

  constructor(
    private readonly dataSource: DataSource,
    private readonly centers: CentersService,
  ) {}

  /** Keeps a closed plan's outcome for its center, once (a redelivered PlanClosed changes nothing). */
  async record(tx: EntityManager, record: OutcomeRecord, at: Date): Promise<'recorded' | 'already-recorded' | 'unknown-center'> {
    const [center] = (await tx.query(`SELECT 1 FROM center WHERE code = $1`, [record.centerCode])) as unknown[];
    if (!center) return 'unknown-center';
    const s = record.scores;
    const inserted = (await tx.query(
      `INSERT INTO reintegration_outcome (plan_id, case_id, center_code, status, outcome, economic, social, psychosocial, composite, closed_at, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (plan_id) DO NOTHING RETURNING plan_id`,
      [record.planId, record.caseId, record.centerCode, record.status, record.outcome, s?.economic ?? null, s?.social ?? null, s?.psychosocial ?? null, s?.composite ?? null, record.closedAt, at],
    )) as unknown[];
    return inserted.length > 0 ? 'recorded' : 'already-recorded';
  }

  async list(principal: Principal, code: string, query: ListOutcomesQueryDto): Promise<Page<ReintegrationOutcome>> {
    const center = await this.centers.get(code);
    assertJurisdiction(principal, center.code);
    const qb = this.dataSource.getRepository(ReintegrationOutcome).createQueryBuilder('o').where('o.centerCode = :code', { code: center.code });
    if (query.outcome) qb.andWhere('o.outcome = :outcome', { outcome: query.outcome });
    this.logger.debug({ centerCode: center.code }, 'reintegration outcomes read');
    return paginate(qb, { limit: query.limit, cursor: query.cursor, sort: [{ column: 'o.planId', key: 'p' }], scope: `outcomes?center=${center.code}&outcome=${query.outcome ?? ''}` });
  }
}
