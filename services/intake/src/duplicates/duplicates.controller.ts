import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth } from '@puente/auth';
import { ApiPaginatedResponse, type Page, ProblemDetailsDto } from '@puente/platform';
import { type Caller, CurrentCaller } from '@puente/audit';
import { uuidParam } from '../common/problems';
import { ListDuplicatesQueryDto, PossibleDuplicateDto } from './duplicate.dto';
import { DuplicatesService } from './duplicates.service';

@ApiTags('duplicates')
@Controller('duplicates')
export class DuplicatesController {
  constructor(private readonly duplicates: DuplicatesService) {}

  @Get()
  @ApiAuth('cases:read')
  @ApiOperation({ summary: 'Possible duplicates in your jurisdictions (newest first): ids, matching rules and score only' })
  @ApiPaginatedResponse(PossibleDuplicateDto)
  async list(@CurrentCaller() caller: Caller, @Query() query: ListDuplicatesQueryDto): Promise<Page<PossibleDuplicateDto>> {
    return this.duplicates.list(caller, query);
  }

  @Get(':id')
  @ApiAuth('cases:read')
  @ApiOkResponse({ type: PossibleDuplicateDto })
  async get(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string): Promise<PossibleDuplicateDto> {
    return this.duplicates.get(caller, id);
  }

  @Post(':id/link')
  @HttpCode(200)
  @ApiAuth('cases:write')
  @ApiOperation({ summary: 'Confirm: both records are the same person (PossibleDuplicateResolved)' })
  @ApiOkResponse({ type: PossibleDuplicateDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'illegal-transition: already decided' })
  async link(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string): Promise<PossibleDuplicateDto> {
    return this.duplicates.resolve(caller, id, 'linked');
  }

  @Post(':id/dismiss')
  @HttpCode(200)
  @ApiAuth('cases:write')
  @ApiOperation({ summary: 'Not the same person (PossibleDuplicateResolved)' })
  @ApiOkResponse({ type: PossibleDuplicateDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'illegal-transition: already decided' })
  async dismiss(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string): Promise<PossibleDuplicateDto> {
    return this.duplicates.resolve(caller, id, 'dismissed');
  }
}
