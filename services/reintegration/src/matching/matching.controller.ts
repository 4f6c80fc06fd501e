import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiForbiddenResponse, ApiGoneResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '@puente/audit';
import { ApiAuth } from '@puente/auth';
import { ProblemDetailsDto } from '@puente/platform';
import { OpeningIdParamsDto } from '../jobs/jobs.dto';
import { PersonIdParamsDto } from '../skills/skills-profile.dto';
import { CandidatesDto, JobMatchesDto, TopQueryDto } from './matching.dto';
import { Matching } from './matching.service';

const PURPOSE = 'case-management';

@ApiTags('matching')
@Controller()
export class MatchingController {
  constructor(private readonly matching: Matching) {}

  @Get('persons/:personId/job-matches')
  @ApiAuth('reintegration:read')
  @Audited({ action: 'skills-profile.match', objectType: 'person', purpose: PURPOSE, objectIdParam: 'personId' })
  @ApiOperation({
    summary: 'The openings that best match a person, each with its score and explanation',
    description:
      'Openings taking applications today, scored on occupation (closeness in ISCO-08), required skills, languages at level and distance; never on sex, age, nationality, ethnicity or protection flags. ' +
      'Only openings sharing at least the ISCO major group or a required skill are ranked. Equal scores are ordered by opening id. 410 person-erased, 403 consent-required, 404 skills-profile-not-found.',
  })
  @ApiOkResponse({ type: JobMatchesDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'skills-profile-not-found' })
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'consent-required' })
  @ApiGoneResponse({ type: ProblemDetailsDto, description: 'person-erased' })
  async openingsFor(@Param() params: PersonIdParamsDto, @Query() query: TopQueryDto): Promise<JobMatchesDto> {
    return this.matching.openingsFor(params.personId.toLowerCase(), query.limit ?? 10);
  }

  @Get('job-openings/:openingId/candidates')
  @ApiAuth('reintegration:read')
  @Audited({ action: 'job-opening.candidates', objectType: 'job-opening', purpose: PURPOSE, objectIdParam: 'openingId' })
  @ApiOperation({
    summary: 'The persons who best match an opening, each with score and explanation (pseudonymous ids)',
    description:
      'Persons with a skills profile and a reintegration_support consent in force, scored as for job-matches (protected attributes never enter the score). Equal scores are ordered by person id.',
  })
  @ApiOkResponse({ type: CandidatesDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'opening-not-found' })
  async candidatesFor(@Param() params: OpeningIdParamsDto, @Query() query: TopQueryDto): Promise<CandidatesDto> {
    return this.matching.candidatesFor(params.openingId.toLowerCase(), query.limit ?? 10);
  }
}
