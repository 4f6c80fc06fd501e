import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth } from '@puente/auth';
import { ApiPaginatedResponse, Idempotent, mapPage, type Page, RequireIfMatch, WithEtag } from '@puente/platform';
import { type Caller, CurrentCaller } from '@puente/audit';
import { CreateSiteDto, ListSitesQueryDto, SiteDto, toSiteDto, UpdateSiteDto } from './site.dto';
import { siteEtag, SitesService } from './sites.service';

const etagOfSite = { from: (r: unknown) => siteEtag(r as SiteDto) };

@ApiTags('sites')
@Controller('sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Post()
  @ApiAuth('sites:admin')
  @Idempotent()
  @WithEtag(etagOfSite)
  @ApiOperation({ summary: 'Register a site (MRC, mobile unit, reception centre, consulate) in your jurisdiction' })
  @ApiCreatedResponse({ type: SiteDto })
  async create(@CurrentCaller() caller: Caller, @Body() dto: CreateSiteDto): Promise<SiteDto> {
    return toSiteDto(await this.sites.create(caller, dto));
  }

  @Get()
  @ApiAuth('cases:read')
  @ApiOperation({ summary: 'List sites (by code)' })
  @ApiPaginatedResponse(SiteDto)
  async list(@Query() query: ListSitesQueryDto): Promise<Page<SiteDto>> {
    return mapPage(await this.sites.list(query), toSiteDto);
  }

  @Get(':code')
  @ApiAuth('cases:read')
  @WithEtag(etagOfSite)
  @ApiOperation({ summary: 'Read a site' })
  @ApiOkResponse({ type: SiteDto })
  async get(@Param('code') code: string): Promise<SiteDto> {
    return toSiteDto(await this.sites.get(code));
  }

  @Patch(':code')
  @ApiAuth('sites:admin')
  @RequireIfMatch()
  @WithEtag(etagOfSite)
  @ApiOperation({ summary: 'Correct or deactivate a site (If-Match)' })
  @ApiOkResponse({ type: SiteDto })
  async update(@CurrentCaller() caller: Caller, @Param('code') code: string, @Body() dto: UpdateSiteDto): Promise<SiteDto> {
    return toSiteDto(await this.sites.update(caller, code, dto));
  }
}
