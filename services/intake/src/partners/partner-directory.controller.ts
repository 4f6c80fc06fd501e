import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth } from '@puente/auth';
import { ApiPaginatedResponse, mapPage, type Page, WithEtag } from '@puente/platform';
import { ListPartnersQueryDto, PartnerDirectoryEntryDto, toPartnerDto } from './partner-directory.dto';
import { partnerEtag, PartnerDirectoryService } from './partner-directory.service';

const etagOfPartner = { from: (r: unknown) => partnerEtag(r as PartnerDirectoryEntryDto) };

/**
 * Reads only: the partners are written in referral-routing's directory (/v1/directory/partners)
 * and followed here through PartnerChanged events.
 */
@ApiTags('partner directory')
@Controller('partner-directory')
export class PartnerDirectoryController {
  constructor(private readonly partners: PartnerDirectoryService) {}

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
  @ApiOperation({ summary: 'A partner consents may name, as last announced by the directory' })
  @ApiOkResponse({ type: PartnerDirectoryEntryDto })
  async get(@Param('id') id: string): Promise<PartnerDirectoryEntryDto> {
    return toPartnerDto(await this.partners.get(id));
  }
}
