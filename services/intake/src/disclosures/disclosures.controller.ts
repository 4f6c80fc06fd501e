import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiForbiddenResponse, ApiGoneResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Audited, type Caller, CurrentCaller } from '@puente/audit';
import { ApiAuth } from '@puente/auth';
import { ProblemDetailsDto } from '@puente/platform';
import { uuidParam } from '../common/problems';
import { DisclosureDto, RequestDisclosureDto } from './disclosure.dto';
import { DisclosuresService } from './disclosures.service';

@ApiTags('persons')
@Controller('persons')
export class DisclosuresController {
  constructor(private readonly disclosures: DisclosuresService) {}

  @Post(':id/disclosures')
  @HttpCode(200)
  @ApiAuth('persons:disclose')
  @Audited({ action: 'person.disclose', objectType: 'person', purpose: 'referral' })
  @ApiOperation({
    summary: 'Identity fields of a person for a named partner and purpose (service to service, at delivery)',
    description:
      "Returns the requested fields (those the data-sharing agreement allows) that the person's consents in force for the purpose, partner and partner type also allow. " +
      'Every call is audited: the person read, and on success the receiving partner.',
  })
  @ApiOkResponse({ type: DisclosureDto })
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'consent-required: no consent in force allows this purpose for this partner' })
  @ApiGoneResponse({ type: ProblemDetailsDto, description: 'personal-data-erased: the person was erased' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'unknown-reference: partnerId names no active partner' })
  async disclose(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string, @Body() dto: RequestDisclosureDto): Promise<DisclosureDto> {
    return this.disclosures.disclose(caller, id, dto);
  }
}
