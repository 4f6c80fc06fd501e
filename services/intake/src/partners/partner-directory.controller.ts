import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth } from '@puente/auth';
import { ApiPaginatedResponse, Idempotent, mapPage, type Page, RequireIfMatch, WithEtag } from '@puente/platform';
import {
  CreatePartnerDirectoryEntryDto,
  ListPartnersQueryDto,
  PartnerDirectoryEntryDto,
  toPartnerDto,
  UpdatePartnerDirectoryEntryDto,
} from './partner-directory.dto';
import { type Caller, CurrentCaller } from '@puente/audit';
import { partnerEtag, PartnerDirectoryService } from './partner-directory.service';

const etagOfPartner = { from: (r: unknown) => partnerEtag(r as PartnerDirectoryEntryDto) };

@ApiTags('partner directory')
@Controller('partner-directory')
export class PartnerDirectoryController {
  constructor(private readonly partners: PartnerDirectoryService) {}

  @Post()
  @ApiAuth('partners:admin')
  @Idempotent()
  @WithEtag(etagOfPartner)
  @ApiOperation({ summary: 'Add a partner that consents may name (e.g. MX-COMAR)' })
  @ApiCreatedResponse({ type: PartnerDirectoryEntryDto })
  async create(@Body() dto: CreatePartnerDirectoryEntryDto): Promise<PartnerDirectoryEntryDto> {
    return toPartnerDto(await this.partners.create(dto));
  }

  @Get()
  @ApiAuth('cases:read')
  @ApiOperation({ summary: 'List the partners consents may name' })
  @ApiPaginatedResponse(PartnerDirectoryEntryDto)
  async list(@Query() query: ListPartnersQueryDto): Promise<Page<PartnerDirectoryEntryDto>> {
    return mapPage(await this.partners.list(query), toPartnerDto);
  }

  @Get(':id')
  @ApiAuth('cases:read')
  @WithEtag(etagOfPartner)
  @ApiOkResponse({ type: PartnerDirectoryEntryDto })
  async get(@Param('id') id: string): Promise<PartnerDirectoryEntryDto> {
    return toPartnerDto(await this.partners.get(id));
  }

  @Patch(':id')
  @ApiAuth('partners:admin')
  @RequireIfMatch()
  @WithEtag(etagOfPartner)
  @ApiOperation({ summary: 'Rename or deactivate a partner entry (If-Match)' })
  @ApiOkResponse({ type: PartnerDirectoryEntryDto })
  async update(@CurrentCaller() caller: Caller, @Param('id') id: string, @Body() dto: UpdatePartnerDirectoryEntryDto): Promise<PartnerDirectoryEntryDto> {
    return toPartnerDto(await this.partners.update(caller, id, dto));
  }
}
