import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth, assertJurisdiction } from '@puente/auth';
import { ApiPaginatedResponse, mapPage, type Page, PageQueryDto, paginate } from '@puente/platform';
import { DataSource } from 'typeorm';
import { type Caller, CurrentCaller } from '@puente/audit';
import { caseNotFound } from '../cases/case-opener';
import { IntakeCase } from '../cases/case.entity';
import { uuidParam } from '../common/problems';
import { TimelineEntry } from './timeline-entry.entity';
import { TimelineEntryDto, toTimelineEntryDto } from './timeline.dto';

@ApiTags('cases')
@Controller('cases')
export class TimelineController {
  constructor(private readonly dataSource: DataSource) {}

  @Get(':id/timeline')
  @ApiAuth('cases:read')
  @ApiOperation({
    summary: 'Everything every service said about the case, in time order',
    description:
      'A projection of the events keyed by this case on every context\'s topic (intake, screening, referrals, transfers, reception, reintegration, …), ' +
      'stored by their CloudEvents attributes, so a new context\'s events appear without changes here. Erasure does not remove it: events carry no personal data.',
  })
  @ApiPaginatedResponse(TimelineEntryDto)
  async timeline(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string, @Query() query: PageQueryDto): Promise<Page<TimelineEntryDto>> {
    const found = await this.dataSource.manager.findOneBy(IntakeCase, { id });
    if (!found) throw caseNotFound();
    assertJurisdiction(caller.principal, found.siteCode, { hideAs: 'case' });
    const qb = this.dataSource.getRepository(TimelineEntry).createQueryBuilder('e').where('e.case_id = :id', { id });
    const page = await paginate(qb, {
      limit: query.limit,
      cursor: query.cursor,
      sort: [
        { column: 'e.occurred_at', key: 't', type: 'timestamp' },
        { column: 'e.seq', key: 's', type: 'integer' },
      ],
      scope: `timeline/${id}`,
    });
    return mapPage(page, toTimelineEntryDto);
  }
}
