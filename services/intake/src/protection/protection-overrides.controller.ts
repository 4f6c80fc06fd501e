import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiGoneResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '@puente/audit';
import { ApiAuth } from '@puente/auth';
import { ProblemDetailsDto } from '@puente/platform';
import { uuidParam } from '../common/problems';
import { GrantProtectionOverrideDto, ProtectionOverrideDto, ProtectionOverrideListDto } from './protection-override.dto';
import { ProtectionOverrides } from './protection-overrides.service';

@ApiTags('persons')
@Controller('persons')
export class ProtectionOverridesController {
  constructor(private readonly overrides: ProtectionOverrides) {}

  @Post(':id/protection-overrides')
  @ApiAuth('protection:override')
  @ApiOperation({
    summary: 'Lift the protection block for a person toward one node, for a stated purpose and a limited time',
    description:
      "Nothing about a person with a fear of return, an asylum claim or a protection flag the agreement names goes to their nationality's node. " +
      'An authorized officer may lift that block for some exchange kinds toward that node for at most 30 days; the grant is audited (officer, person, override). ' +
      '400 when the node is not a peer or the block does not apply toward it.',
  })
  @ApiCreatedResponse({ type: ProtectionOverrideDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: "not-found: no such person in the caller's jurisdictions" })
  @ApiGoneResponse({ type: ProblemDetailsDto, description: 'personal-data-erased: the person was erased' })
  async grant(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string, @Body() dto: GrantProtectionOverrideDto): Promise<ProtectionOverrideDto> {
    return this.overrides.grant(caller, id, dto);
  }

  @Get(':id/protection-overrides')
  @ApiAuth('cases:read')
  @ApiOperation({ summary: 'Protection overrides recorded for a person (in force or expired)' })
  @ApiOkResponse({ type: ProtectionOverrideListDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: "not-found: no such person in the caller's jurisdictions" })
  async list(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string): Promise<ProtectionOverrideListDto> {
    return this.overrides.list(caller, id);
  }
}
