import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth } from '@puente/auth';
import { ApiPaginatedResponse, Idempotent, type Page, ProblemDetailsDto, RequireIfMatch, WithEtag } from '@puente/platform';
import { type Caller, CurrentCaller } from '@puente/audit';
import { uuidParam } from '../common/problems';
import { CaseDto, CloseCaseDto, OpenCaseDto, SearchCasesQueryDto, UpdateCaseDto } from './case.dto';
import { CasesService } from './cases.service';

const uuid = uuidParam('id');

@ApiTags('cases')
@Controller('cases')
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  @Post()
  @ApiAuth('cases:write')
  @Idempotent()
  @WithEtag()
  @ApiOperation({ summary: 'Open a case for a registered person at a site (registration can also open one: POST /v1/persons)' })
  @ApiCreatedResponse({ type: CaseDto })
  async open(@CurrentCaller() caller: Caller, @Body() dto: OpenCaseDto): Promise<CaseDto> {
    return this.cases.open(caller, dto);
  }

  @Get()
  @ApiAuth('cases:read')
  @ApiOperation({ summary: 'Search cases in your jurisdictions by reference, site, status, opening date or match key (newest first)' })
  @ApiPaginatedResponse(CaseDto)
  async search(@CurrentCaller() caller: Caller, @Query() query: SearchCasesQueryDto): Promise<Page<CaseDto>> {
    return this.cases.search(caller, query);
  }

  @Get(':id')
  @ApiAuth('cases:read')
  @WithEtag()
  @ApiOkResponse({ type: CaseDto })
  async get(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<CaseDto> {
    return this.cases.get(caller, id);
  }

  @Patch(':id')
  @ApiAuth('cases:write')
  @RequireIfMatch()
  @WithEtag()
  @ApiOperation({ summary: 'Change a case\'s status (allowed transitions only; 409 otherwise) or priority (If-Match)' })
  @ApiOkResponse({ type: CaseDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'illegal-transition' })
  async update(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string, @Body() dto: UpdateCaseDto): Promise<CaseDto> {
    return this.cases.update(caller, id, dto);
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiAuth('cases:write')
  @RequireIfMatch()
  @WithEtag()
  @ApiOperation({ summary: 'Close a case with a reason (If-Match)' })
  @ApiOkResponse({ type: CaseDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'illegal-transition: already closed' })
  async close(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string, @Body() dto: CloseCaseDto): Promise<CaseDto> {
    return this.cases.close(caller, id, dto);
  }
}
