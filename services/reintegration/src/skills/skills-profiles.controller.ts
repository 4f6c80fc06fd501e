import { Body, Controller, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiForbiddenResponse, ApiGoneResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse, ApiConflictResponse } from '@nestjs/swagger';
import { Audited, type Caller, CurrentCaller } from '@puente/audit';
import { ApiAuth } from '@puente/auth';
import { ProblemDetailsDto } from '@puente/platform';
import type { FastifyReply } from 'fastify';
import { CertificateParamsDto, CertificateValidationDto, PersonIdParamsDto, SkillsProfileDto, SkillsProfileInputDto } from './skills-profile.dto';
import { SkillsProfiles } from './skills-profiles.service';

const PURPOSE = 'case-management';

@ApiTags('skills')
@Controller()
export class SkillsProfilesController {
  constructor(private readonly profiles: SkillsProfiles) {}

  @Put('persons/:personId/skills-profile')
  @ApiAuth('reintegration:write')
  @Audited({ action: 'skills-profile.write', objectType: 'person', purpose: PURPOSE, objectIdParam: 'personId' })
  @ApiOperation({
    summary: "Record a person's skills profile (replaces it)",
    description:
      'Languages with their CEFR level, trades and occupations as ISCO-08 unit groups (validated against the ILO list), certificates earned abroad (each new or changed one pending validation), ' +
      'work history abroad (country, ISIC section, years), education level (ISCED 2011) and the area where the person looks for work. Stored encrypted under the person\'s data key; erased with the person. ' +
      'Needs a reintegration_support consent in force on one of the person\'s cases (403 consent-required), 410 person-erased once erased. 201 for a new profile, 200 for a replaced one.',
  })
  @ApiCreatedResponse({ type: SkillsProfileDto, description: 'A new profile' })
  @ApiOkResponse({ type: SkillsProfileDto, description: 'The profile, replaced' })
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'consent-required (or a missing scope)' })
  @ApiGoneResponse({ type: ProblemDetailsDto, description: 'person-erased' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'unknown-certificate: a certificateId not in the profile' })
  async save(
    @Param() params: PersonIdParamsDto,
    @Body() body: SkillsProfileInputDto,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SkillsProfileDto> {
    const { created, profile } = await this.profiles.save(caller, params.personId.toLowerCase(), body);
    void reply.status(created ? 201 : 200);
    return profile;
  }

  @Get('persons/:personId/skills-profile')
  @ApiAuth('reintegration:read')
  @Audited({ action: 'skills-profile.read', objectType: 'person', purpose: PURPOSE, objectIdParam: 'personId' })
  @ApiOperation({ summary: "A person's skills profile (decrypted; every read is audited)" })
  @ApiOkResponse({ type: SkillsProfileDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'skills-profile-not-found' })
  @ApiGoneResponse({ type: ProblemDetailsDto, description: 'person-erased' })
  async get(@Param() params: PersonIdParamsDto): Promise<SkillsProfileDto> {
    return this.profiles.get(params.personId.toLowerCase());
  }

  @Post('persons/:personId/skills-profile/certificates/:certificateId/validation')
  @ApiAuth('reintegration:write')
  @HttpCode(200)
  @Audited({ action: 'skills-profile.validate', objectType: 'person', purpose: PURPOSE, objectIdParam: 'personId' })
  @ApiOperation({
    summary: 'Record the outcome of a certificate validation task',
    description:
      'validated or rejected, once (409 certificate-already-decided after). A certificate with an open certificate_validation task is decided by completing that task (409 certificate-has-task here). A validated certificate with an ISCO code counts as an occupation in matching.',
  })
  @ApiOkResponse({ type: SkillsProfileDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'skills-profile-not-found, certificate-not-found' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'certificate-already-decided, certificate-has-task' })
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'consent-required' })
  @ApiGoneResponse({ type: ProblemDetailsDto, description: 'person-erased' })
  async validate(@Param() params: CertificateParamsDto, @Body() body: CertificateValidationDto, @CurrentCaller() caller: Caller): Promise<SkillsProfileDto> {
    return this.profiles.validateCertificate(caller, params.personId.toLowerCase(), params.certificateId.toLowerCase(), body.outcome);
  }
}
