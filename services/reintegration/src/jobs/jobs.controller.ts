import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiGoneResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Audited, type Caller, CurrentCaller } from '@puente/audit';
import { ApiAuth } from '@puente/auth';
import { Idempotent, ProblemDetailsDto } from '@puente/platform';
import type { FastifyReply } from 'fastify';
import { JobOpeningDto, OpeningIdParamsDto, PlacementDto, PlacementIdParamsDto, PostOpeningDto, ProposePlacementDto } from './jobs.dto';
import { Openings, openingView } from './openings.service';
import { Placements } from './placements.service';

const PURPOSE = 'case-management';
const createdId = (_request: unknown, result: unknown) => (result as { id?: string } | undefined)?.id;

@ApiTags('jobs')
@Controller()
export class JobsController {
  constructor(
    private readonly openings: Openings,
    private readonly placements: Placements,
  ) {}

  @Post('job-openings')
  @ApiAuth('openings:write')
  @Idempotent()
  @ApiOperation({
    summary: 'Post a job opening (employer partners)',
    description:
      'The employer is the partner of the token. ISCO-08 unit groups for the job and its required skills, languages at a minimum CEFR level, slots (at least 1), ' +
      'the days applications are taken. The opening is offered to matching persons at once.',
  })
  @ApiCreatedResponse({ type: JobOpeningDto })
  async post(@Body() body: PostOpeningDto, @CurrentCaller() caller: Caller, @Res({ passthrough: true }) reply: FastifyReply): Promise<JobOpeningDto> {
    const opening = await this.openings.post(caller, body);
    void reply.header('Location', `/v1/job-openings/${opening.id}`);
    return opening;
  }

  @Get('job-openings/:openingId')
  @ApiAuth('reintegration:read')
  @ApiOperation({ summary: 'A job opening, with its slots filled' })
  @ApiOkResponse({ type: JobOpeningDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'opening-not-found' })
  async get(@Param() params: OpeningIdParamsDto): Promise<JobOpeningDto> {
    return openingView(await this.openings.get(params.openingId.toLowerCase()));
  }

  @Post('placements')
  @ApiAuth('reintegration:write')
  @Idempotent()
  @Audited({ action: 'placement.propose', objectType: 'placement', purpose: PURPOSE, objectIdParam: createdId })
  @ApiOperation({
    summary: 'Propose an opening to a person (caseworker)',
    description:
      'Needs the person\'s reintegration_support consent in force on the case (403 consent-required; 410 person-erased), a skills profile (422 skills-profile-required) and an opening taking placements ' +
      '(409 opening-not-open with the reason). One live proposal per person and opening (409 placement-exists). Records the match score and emits JobMatched.',
  })
  @ApiCreatedResponse({ type: PlacementDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'opening-not-found' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'opening-not-open, placement-exists' })
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'consent-required' })
  @ApiGoneResponse({ type: ProblemDetailsDto, description: 'person-erased' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'skills-profile-required' })
  async propose(@Body() body: ProposePlacementDto, @CurrentCaller() caller: Caller, @Res({ passthrough: true }) reply: FastifyReply): Promise<PlacementDto> {
    const placement = await this.placements.propose(caller, { openingId: body.openingId.toLowerCase(), personId: body.personId.toLowerCase(), caseId: body.caseId.toLowerCase() });
    void reply.header('Location', `/v1/placements/${placement.id}`);
    return placement;
  }

  @Get('placements/:id')
  @ApiAuth('reintegration:read')
  @Audited({ action: 'placement.read', objectType: 'placement', purpose: PURPOSE })
  @ApiOperation({ summary: 'A placement and where it stands' })
  @ApiOkResponse({ type: PlacementDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'placement-not-found' })
  async getPlacement(@Param() params: PlacementIdParamsDto): Promise<PlacementDto> {
    return this.placements.get(params.id.toLowerCase());
  }

  @Post('placements/:id/accept')
  @ApiAuth('reintegration:write')
  @HttpCode(200)
  @Audited({ action: 'placement.accept', objectType: 'placement', purpose: PURPOSE })
  @ApiOperation({ summary: 'Record that the person accepts the proposal', description: 'Only a proposed placement (409 invalid-transition otherwise); the consent must still be in force.' })
  @ApiOkResponse({ type: PlacementDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'placement-not-found' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'invalid-transition' })
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'consent-required' })
  @ApiGoneResponse({ type: ProblemDetailsDto, description: 'person-erased' })
  async accept(@Param() params: PlacementIdParamsDto): Promise<PlacementDto> {
    return this.placements.answer(params.id.toLowerCase(), 'accept');
  }

  @Post('placements/:id/decline')
  @ApiAuth('reintegration:write')
  @HttpCode(200)
  @Audited({ action: 'placement.decline', objectType: 'placement', purpose: PURPOSE })
  @ApiOperation({ summary: 'Record that the person declines (before the employer confirmed)' })
  @ApiOkResponse({ type: PlacementDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'placement-not-found' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'invalid-transition' })
  async decline(@Param() params: PlacementIdParamsDto): Promise<PlacementDto> {
    return this.placements.answer(params.id.toLowerCase(), 'decline');
  }

  @Post('placements/:id/confirm')
  @ApiAuth('openings:write')
  @HttpCode(200)
  @Audited({ action: 'placement.confirm', objectType: 'placement', purpose: PURPOSE })
  @ApiOperation({
    summary: 'Confirm an accepted placement (the employer who posted the opening)',
    description:
      'Takes one slot; never more than the opening has, whatever runs concurrently (409 opening-full). Confirming twice is 409 placement-already-confirmed and takes nothing. ' +
      'Another partner: 403 not-your-opening. Emits JobPlacementConfirmed.',
  })
  @ApiOkResponse({ type: PlacementDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'placement-not-found' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'placement-already-confirmed, opening-full, invalid-transition' })
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'not-your-opening' })
  async confirm(@Param() params: PlacementIdParamsDto, @CurrentCaller() caller: Caller): Promise<PlacementDto> {
    return this.placements.confirm(caller, params.id.toLowerCase());
  }
}
