import { Body, Controller, Get, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth, CurrentPrincipal, type Principal } from '@puente/auth';
import { ApiPaginatedResponse, Idempotent, mapPage, type Page, RequireIfMatch, WithEtag } from '@puente/platform';
import type { FastifyRequest } from 'fastify';
import { CenterCodeParamsDto, CenterDto, CreateCenterDto, ListCentersQueryDto, toCenterDto, UpdateCenterDto } from './center.dto';
import { centerEtag, CentersService } from './centers.service';

const etagOfCenter = { from: (r: unknown) => centerEtag(r as CenterDto) };

@ApiTags('centers')
@Controller('centers')
export class CentersController {
  constructor(private readonly centers: CentersService) {}

  @Post()
  @ApiAuth('centers:admin')
  @Idempotent()
  @WithEtag(etagOfCenter)
  @ApiOperation({ summary: 'Register a reception center (airport, land border, shelter) in your jurisdiction' })
  @ApiCreatedResponse({ type: CenterDto })
  async create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateCenterDto): Promise<CenterDto> {
    return toCenterDto(await this.centers.create(principal, dto));
  }

  @Get()
  @ApiAuth('arrivals:read')
  @ApiOperation({ summary: 'List reception centers (by code)' })
  @ApiPaginatedResponse(CenterDto)
  async list(@Query() query: ListCentersQueryDto): Promise<Page<CenterDto>> {
    return mapPage(await this.centers.list(query), toCenterDto);
  }

  @Get(':code')
  @ApiAuth('arrivals:read')
  @WithEtag(etagOfCenter)
  @ApiOperation({ summary: 'Read a reception center' })
  @ApiOkResponse({ type: CenterDto })
  async get(@Param() params: CenterCodeParamsDto): Promise<CenterDto> {
    return toCenterDto(await this.centers.get(params.code));
  }

  @Patch(':code')
  @ApiAuth('centers:admin')
  @RequireIfMatch()
  @WithEtag(etagOfCenter)
  @ApiOperation({ summary: 'Correct a center, change its capacity or services, or deactivate it (If-Match)' })
  @ApiOkResponse({ type: CenterDto })
  async update(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Param() params: CenterCodeParamsDto, @Body() dto: UpdateCenterDto): Promise<CenterDto> {
    return toCenterDto(await this.centers.update(principal, request, params.code, dto));
  }
}
