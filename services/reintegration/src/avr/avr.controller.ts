import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited, type Caller, createdObjectId, CurrentCaller } from '@puente/audit';
import { ApiAuth } from '@puente/auth';
import { Idempotent, ProblemDetailsDto, WithEtag } from '@puente/platform';
import { AvrPackageDto, AvrPackageIdParamsDto, AvrStageParamsDto, RequestAvrDto } from './avr.dto';
import { AvrService } from './avr.service';

const PURPOSE = 'case-management';

@ApiTags('assisted voluntary return')
@Controller()
export class AvrController {
  constructor(private readonly avr: AvrService) {}

  @Post('avr-packages')
  @ApiAuth('reintegration:write')
  @Idempotent()
  @WithEtag()
  @Audited({ action: 'avr.request', objectType: 'avr-package', purpose: PURPOSE, objectIdParam: createdObjectId })
  @ApiOperation({
    summary: 'Request an assisted voluntary return package',
    description: 'From a host node to the origin node, with its stages in payout order (travel, reintegration grant instalments, in-kind support). The person needs a reintegration_support consent in force (403 consent-required).',
  })
  @ApiCreatedResponse({ type: AvrPackageDto })
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'consent-required, or a missing scope' })
  async request(@Body() body: RequestAvrDto, @CurrentCaller() caller: Caller): Promise<AvrPackageDto> {
    return this.avr.request(caller, body);
  }

  @Get('avr-packages/:packageId')
  @ApiAuth('reintegration:read')
  @WithEtag()
  @Audited({ action: 'avr.read', objectType: 'avr-package', purpose: PURPOSE, objectIdParam: 'packageId' })
  @ApiOperation({ summary: 'A package with its stages: planned, disbursed or acknowledged' })
  @ApiOkResponse({ type: AvrPackageDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param() params: AvrPackageIdParamsDto, @CurrentCaller() caller: Caller): Promise<AvrPackageDto> {
    return this.avr.get(caller, params.packageId);
  }

  @Post('avr-packages/:packageId/stages/:sequence/disburse')
  @ApiAuth('reintegration:write')
  @HttpCode(200)
  @WithEtag()
  @Audited({ action: 'avr.disburse', objectType: 'avr-package', purpose: PURPOSE, objectIdParam: 'packageId' })
  @ApiOperation({ summary: 'Pay out a stage (in order): AvrStageDisbursed' })
  @ApiOkResponse({ type: AvrPackageDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'already-done, earlier-stage-pending, package-closed' })
  async disburse(@Param() params: AvrStageParamsDto, @CurrentCaller() caller: Caller): Promise<AvrPackageDto> {
    return this.avr.act(caller, params.packageId, params.sequence, 'disburse');
  }

  @Post('avr-packages/:packageId/stages/:sequence/acknowledge')
  @ApiAuth('reintegration:write')
  @HttpCode(200)
  @WithEtag()
  @Audited({ action: 'avr.acknowledge', objectType: 'avr-package', purpose: PURPOSE, objectIdParam: 'packageId' })
  @ApiOperation({ summary: 'Acknowledge receipt of a paid stage; the package completes when every stage is acknowledged' })
  @ApiOkResponse({ type: AvrPackageDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'not-disbursed, already-done, package-closed' })
  async acknowledge(@Param() params: AvrStageParamsDto, @CurrentCaller() caller: Caller): Promise<AvrPackageDto> {
    return this.avr.act(caller, params.packageId, params.sequence, 'acknowledge');
  }
}
