import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth, CurrentPrincipal, type Principal } from '@puente/auth';
import { ApiPaginatedResponse, mapPage, type Page } from '@puente/platform';
import { CenterCodeParamsDto } from '../centers/center.dto';
import { ListOutcomesQueryDto, ReintegrationOutcomeDto, toOutcomeDto } from './outcome.dto';
import { ReintegrationOutcomesService } from './reintegration-outcomes.service';

@ApiTags('centers')
@Controller('centers')
export class ReintegrationOutcomesController {
  constructor(private readonly outcomes: ReintegrationOutcomesService) {}

  @Get(':code/reintegration-outcomes')
  @ApiAuth('arrivals:read')
  @ApiOperation({
    summary: 'What became of the reintegration plans opened from this center',
    description: 'One row per closed plan (PlanClosed from reintegration): outcome and the last follow-up’s sustainability scores; ids and codes only.',
  })
  @ApiPaginatedResponse(ReintegrationOutcomeDto)
  async list(@CurrentPrincipal() principal: Principal, @Param() params: CenterCodeParamsDto, @Query() query: ListOutcomesQueryDto): Promise<Page<ReintegrationOutcomeDto>> {
    return mapPage(await this.outcomes.list(principal, params.code, query), toOutcomeDto);
  }
}
