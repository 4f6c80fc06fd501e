import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Audited, type Caller, createdObjectId, CurrentCaller } from '@puente/audit';
import { ApiAuth } from '@puente/auth';
import { ApiPaginatedResponse, Idempotent, mapPage, type Page, ProblemDetailsDto, RequireIfMatch, setEtag, WithEtag } from '@puente/platform';
import type { FastifyReply } from 'fastify';
import {
  CaseIdParamsDto,
  SavedAnswersDto,
  SaveAnswersDto,
  ScreeningCreatedDto,
  ScreeningDto,
  ScreeningHistoryQueryDto,
  ScreeningIdParamsDto,
  ScreeningResultDto,
  ScreeningSummaryDto,
  StartScreeningDto,
} from './dto';
import { etagOf, ScreeningsService, toSummary } from './screenings.service';

const PURPOSE = 'screening';

@ApiTags('screenings')
@Controller()
export class ScreeningsController {
  constructor(private readonly screenings: ScreeningsService) {}

  @Post('screenings')
  @ApiAuth('screening:write')
  @Idempotent()
  @Audited({ action: 'screening.start', objectType: 'screening', purpose: PURPOSE, objectIdParam: createdObjectId })
  @ApiOperation({
    summary: 'Start a screening of a case',
    description:
      'Needs a screening consent recorded at intake (learned from its events); otherwise 409 screening-not-allowed with the reason ' +
      '(case-unknown, case-closed, person-erased, no-screening-consent, consent-withdrawn, consent-expired, consent-not-yet-valid). Uses the highest published version of the questionnaire. ' +
      'When the case has a pending screening (opened by a reception protection concern, trigger protection_concern) and questionnaireKey is omitted or the same, ' +
      'that screening is started instead (200, status in_progress, ScreeningStarted); the consent check is the same.',
  })
  @ApiCreatedResponse({ type: ScreeningCreatedDto, description: 'A new screening' })
  @ApiOkResponse({ type: ScreeningCreatedDto, description: "The case's pending screening, now started" })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'screening-not-allowed (with reason), screening-already-open, no-published-questionnaire' })
  async start(
    @Body() body: StartScreeningDto,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScreeningCreatedDto> {
    const { activated, ...created } = await this.screenings.start(caller, body.caseId.toLowerCase(), { personId: body.personId?.toLowerCase(), questionnaireKey: body.questionnaireKey });
    if (activated) void reply.status(200);
    void reply.header('Location', `/v1/screenings/${created.id}`);
    setEtag(reply, etagOf(created));
    return created;
  }

  @Get('screenings/:id')
  @ApiAuth('screening:read')
  @WithEtag()
  @Audited({ action: 'screening.read', objectType: 'screening', purpose: PURPOSE })
  @ApiOperation({ summary: 'A screening with its answers, the questions shown and those still required' })
  @ApiOkResponse({ type: ScreeningDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param() params: ScreeningIdParamsDto, @CurrentCaller() caller: Caller): Promise<ScreeningDto> {
    return this.screenings.get(caller, params.id);
  }

  @Patch('screenings/:id/answers')
  @ApiAuth('screening:write')
  @RequireIfMatch()
  @WithEtag()
  @Audited({ action: 'screening.answer', objectType: 'screening', purpose: PURPOSE })
  @ApiOperation({
    summary: 'Save some answers',
    description:
      'Merges the answers into the screening (null clears one). All or nothing: unknown questions, wrong types and answers to hidden questions are refused with 422 invalid-answers, one error per answer at answers.<questionId>. ' +
      'Answering a pending screening starts it (ScreeningStarted), with the same consent check.',
  })
  @ApiOkResponse({ type: SavedAnswersDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'screening-not-editable (completed or cancelled), screening-not-allowed (consent not in force)' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'invalid-answers' })
  async saveAnswers(
    @Param() params: ScreeningIdParamsDto,
    @Body() body: SaveAnswersDto,
    @CurrentCaller() caller: Caller,
  ): Promise<SavedAnswersDto> {
    return this.screenings.saveAnswers(caller, params.id, body.answers);
  }

  @Post('screenings/:id/complete')
  @ApiAuth('screening:write')
  @HttpCode(200)
  @WithEtag()
  @Audited({ action: 'screening.complete', objectType: 'screening', purpose: PURPOSE })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag of the screening as reviewed; 412 if it changed since' })
  @ApiOperation({
    summary: 'Complete a screening',
    description:
      'Checks that every required question shown is answered (422 screening-incomplete otherwise, one error per question), evaluates the rules and stores the result for good. ' +
      'Emits ScreeningCompleted, and ProtectionAlertRaised when the risk is urgent.',
  })
  @ApiOkResponse({ type: ScreeningDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'screening-not-editable, screening-not-allowed' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'screening-incomplete' })
  @ApiResponse({ status: 412, type: ProblemDetailsDto, description: 'precondition-failed' })
  @ApiResponse({ status: 428, type: ProblemDetailsDto, description: 'precondition-required: an If-Match header was sent empty' })
  async complete(@Param() params: ScreeningIdParamsDto, @CurrentCaller() caller: Caller): Promise<ScreeningDto> {
    return this.screenings.complete(caller, params.id);
  }

  @Get('screenings/:id/result')
  @ApiAuth('screening:read')
  @Audited({ action: 'screening.read-result', objectType: 'screening', purpose: PURPOSE })
  @ApiOperation({ summary: 'The result of a completed screening: flags, fear grounds, risk level and recommended pathways, each with the questions that decided it' })
  @ApiOkResponse({ type: ScreeningResultDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'screening-not-completed' })
  async result(@Param() params: ScreeningIdParamsDto, @CurrentCaller() caller: Caller): Promise<ScreeningResultDto> {
    return this.screenings.result(caller, params.id);
  }

  @Post('screenings/:id/rescreen')
  @ApiAuth('screening:write')
  @Idempotent()
  @Audited({ action: 'screening.rescreen', objectType: 'screening', purpose: PURPOSE, objectIdParam: createdObjectId })
  @ApiOperation({
    summary: 'Re-screen after a completed screening',
    description: 'Starts a new screening of the same case on the current version of the questionnaire, with the earlier answers that still fit. The earlier result is kept unchanged.',
  })
  @ApiCreatedResponse({ type: ScreeningCreatedDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'screening-not-completed, screening-already-open, screening-not-allowed, no-published-questionnaire' })
  async rescreen(
    @Param() params: ScreeningIdParamsDto,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScreeningCreatedDto> {
    const created = await this.screenings.rescreen(caller, params.id);
    void reply.header('Location', `/v1/screenings/${created.id}`);
    setEtag(reply, etagOf(created));
    return created;
  }

  @Get('cases/:caseId/screenings')
  @ApiAuth('screening:read')
  @Audited({ action: 'screening.list', objectType: 'case', purpose: PURPOSE, objectIdParam: 'caseId' })
  @ApiOperation({ summary: 'Screening history of a case, oldest first (no answers)' })
  @ApiPaginatedResponse(ScreeningSummaryDto)
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async history(
    @Param() params: CaseIdParamsDto,
    @Query() query: ScreeningHistoryQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<Page<ScreeningSummaryDto>> {
    return mapPage(await this.screenings.history(caller, params.caseId.toLowerCase(), query), toSummary);
  }
}
