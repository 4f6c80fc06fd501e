import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth } from '@puente/auth';
import { Idempotent, RequireIfMatch, WithEtag } from '@puente/platform';
import { type Caller, CurrentCaller } from '@puente/audit';
import { uuidParam } from '../common/problems';
import { CreateHouseholdDto, HouseholdDto, HouseholdMemberInputDto, SetRelationshipDto } from './household.dto';
import { HouseholdsService } from './households.service';

@ApiTags('households')
@Controller()
export class HouseholdsController {
  constructor(private readonly households: HouseholdsService) {}

  @Post('households')
  @ApiAuth('cases:write')
  @Idempotent()
  @WithEtag()
  @ApiOperation({
    summary: 'Group the persons of a case into a household, with relationships to the principal applicant',
    description: 'Derives each child\'s care status (accompanied, separated, unaccompanied) and publishes HouseholdChanged.',
  })
  @ApiCreatedResponse({ type: HouseholdDto })
  async create(@CurrentCaller() caller: Caller, @Body() dto: CreateHouseholdDto): Promise<HouseholdDto> {
    return this.households.create(caller, dto);
  }

  @Get('households/:id')
  @ApiAuth('cases:read')
  @WithEtag()
  @ApiOkResponse({ type: HouseholdDto })
  async get(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string): Promise<HouseholdDto> {
    return this.households.get(caller, id);
  }

  @Get('cases/:caseId/household')
  @ApiAuth('cases:read')
  @WithEtag()
  @ApiOperation({ summary: 'The household of a case' })
  @ApiOkResponse({ type: HouseholdDto })
  async forCase(@CurrentCaller() caller: Caller, @Param('caseId', uuidParam('caseId')) caseId: string): Promise<HouseholdDto> {
    return this.households.getForCase(caller, caseId);
  }

  @Post('households/:id/members')
  @HttpCode(200)
  @ApiAuth('cases:write')
  @RequireIfMatch()
  @WithEtag()
  @ApiOperation({ summary: 'Add a person of the case to the household (If-Match); 409 if already a member' })
  @ApiOkResponse({ type: HouseholdDto })
  async addMember(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string, @Body() dto: HouseholdMemberInputDto): Promise<HouseholdDto> {
    return this.households.addMember(caller, id, dto);
  }

  @Put('households/:id/members/:personId')
  @ApiAuth('cases:write')
  @RequireIfMatch()
  @WithEtag()
  @ApiOperation({ summary: 'Change a member\'s relationship to the principal (If-Match)' })
  @ApiOkResponse({ type: HouseholdDto })
  async setRelationship(
    @CurrentCaller() caller: Caller,
    @Param('id', uuidParam('id')) id: string,
    @Param('personId', uuidParam('personId')) personId: string,
    @Body() dto: SetRelationshipDto,
  ): Promise<HouseholdDto> {
    return this.households.setRelationship(caller, id, personId, dto.relationship);
  }

  @Delete('households/:id/members/:personId')
  @ApiAuth('cases:write')
  @RequireIfMatch()
  @WithEtag()
  @ApiOperation({ summary: 'Remove a member (not the principal) from the household (If-Match)' })
  @ApiOkResponse({ type: HouseholdDto })
  async removeMember(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string, @Param('personId', uuidParam('personId')) personId: string): Promise<HouseholdDto> {
    return this.households.removeMember(caller, id, personId);
  }
}
