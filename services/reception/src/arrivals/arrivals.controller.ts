import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ApiAuth, CurrentPrincipal, type Principal } from '@puente/auth';
import { getRequestContext, Idempotent, ProblemDetailsDto } from '@puente/platform';
import type { FastifyRequest } from 'fastify';
import { ArrivalDto, CheckInDto, DeliverServiceDto, HandOverDto, MedicalNotesDto, OperationsDto, OperationsQueryDto, RaiseConcernDto, WalkInDto } from './arrival-day.dto';
import { ArrivalDayService } from './arrival-day.service';
import { FamilyTracingDto, RequestFamilyTracingDto } from './family-tracing.dto';
import { FamilyTracingService } from './family-tracing.service';
import { InterviewDto, RecordInterviewDto } from './interview.dto';
import { InterviewService } from './interview.service';

const uuid = new ParseUUIDPipe({ version: '4' });
const traceOf = (request: FastifyRequest) => getRequestContext(request).trace.traceparent;

@ApiTags('arrivals')
@Controller()
export class ArrivalsController {
  constructor(
    private readonly arrivals: ArrivalDayService,
    private readonly interviews: InterviewService,
    private readonly tracing: FamilyTracingService,
  ) {}

  @Get('centers/:code/arrivals')
  @ApiAuth('arrivals:read')
  @ApiOperation({ summary: 'The arrivals of a center on a day (ids and status only)' })
  @ApiOkResponse({ type: [ArrivalDto] })
  async list(@CurrentPrincipal() principal: Principal, @Param('code') code: string, @Query() query: OperationsQueryDto): Promise<ArrivalDto[]> {
    return this.arrivals.list(principal, code, query.date);
  }

  @Get('centers/:code/operations')
  @ApiAuth('arrivals:read')
  @ApiOperation({ summary: 'Operations view of a center on a day: expected, arrived, no-shows, services by type, capacity use, children awaiting hand-over, open protection concerns' })
  @ApiOkResponse({ type: OperationsDto })
  async operations(@CurrentPrincipal() principal: Principal, @Param('code') code: string, @Query() query: OperationsQueryDto): Promise<OperationsDto> {
    return this.arrivals.operations(principal, code, query.date);
  }

  @Post('walk-ins')
  @ApiAuth('arrivals:write')
  @Idempotent()
  @ApiOperation({ summary: 'A person not on any manifest: sent to intake to be registered or matched (status pending until then), then expected today at the center' })
  @ApiCreatedResponse({ type: ArrivalDto })
  async walkIn(@CurrentPrincipal() principal: Principal, @Body() dto: WalkInDto): Promise<ArrivalDto> {
    return this.arrivals.walkIn(principal, dto.centerCode, dto.person);
  }

  @Get('arrivals/:id')
  @ApiAuth('arrivals:read')
  @ApiOperation({ summary: 'An arrival: status, intake ids, flags (no personal data)' })
  @ApiOkResponse({ type: ArrivalDto })
  async read(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<ArrivalDto> {
    return this.arrivals.read(principal, id);
  }

  @Post('arrivals/:id/check-in')
  @HttpCode(200)
  @ApiAuth('arrivals:write')
  @ApiOperation({ summary: 'Check a person in (arrived or sent to hospital), with the consents they give at intake; from any desk, once' })
  @ApiOkResponse({ type: ArrivalDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'already-checked-in (another desk was first), arrival-not-ready' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: "consent-refused: intake refused a consent's terms (a child's is a guardian's); nothing recorded" })
  @ApiServiceUnavailableResponse({ type: ProblemDetailsDto, description: 'intake-unavailable: consents could not be recorded; nothing recorded' })
  async checkIn(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Param('id', uuid) id: string, @Body() dto: CheckInDto): Promise<ArrivalDto> {
    return this.arrivals.checkIn(principal, id, dto, traceOf(request));
  }

  @Post('arrivals/:id/no-show')
  @HttpCode(200)
  @ApiAuth('arrivals:write')
  @ApiOperation({ summary: 'The person did not arrive (ArrivalNoShow; an alert when flagged at risk)' })
  @ApiOkResponse({ type: ArrivalDto })
  @ApiConflictResponse({ type: ProblemDetailsDto })
  async noShow(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Param('id', uuid) id: string): Promise<ArrivalDto> {
    return this.arrivals.noShow(principal, id, traceOf(request));
  }

  @Post('arrivals/:id/services')
  @ApiAuth('arrivals:write')
  @Idempotent()
  @ApiOperation({ summary: 'A service given to the person (who and when are recorded)' })
  @ApiCreatedResponse({ description: 'The delivery id, service and time' })
  @ApiConflictResponse({ type: ProblemDetailsDto })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'service-not-offered' })
  async deliver(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Param('id', uuid) id: string, @Body() dto: DeliverServiceDto): Promise<{ id: string; service: string; deliveredAt: string }> {
    return this.arrivals.deliver(principal, id, dto.service, traceOf(request));
  }

  @Post('arrivals/:id/protection-concerns')
  @ApiAuth('arrivals:write')
  @Idempotent()
  @ApiOperation({ summary: 'Raise protection concerns (codes only): screening opens a pending screening for the case' })
  @ApiCreatedResponse({ description: 'The concern id and codes' })
  @ApiConflictResponse({ type: ProblemDetailsDto })
  async raiseConcern(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Param('id', uuid) id: string, @Body() dto: RaiseConcernDto): Promise<{ id: string; concerns: string[] }> {
    return this.arrivals.raiseConcern(principal, id, dto.concerns, traceOf(request));
  }

  @Post('arrivals/:id/interview')
  @ApiAuth('arrivals:write')
  @Idempotent()
  @ApiOperation({
    summary: 'The reception interview, coded (reasons for migration, time abroad, returns before, needs, protection indicators); once per arrival',
    description: 'Codes only, no free text. A protection indicator, or leaving because of persecution, violence or forced recruitment, raises a protection concern: screening opens a pending screening for the case.',
  })
  @ApiCreatedResponse({ type: InterviewDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'interview-already-recorded, arrival-not-ready (not checked in)' })
  async interview(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Param('id', uuid) id: string, @Body() dto: RecordInterviewDto): Promise<InterviewDto> {
    return this.interviews.record(principal, id, dto, traceOf(request));
  }

  @Get('arrivals/:id/interview')
  @ApiAuth('arrivals:read')
  @ApiOperation({ summary: 'The coded interview of an arrival' })
  @ApiOkResponse({ type: InterviewDto })
  async readInterview(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<InterviewDto> {
    return this.interviews.read(principal, id);
  }

  @Post('arrivals/:id/family-tracing')
  @ApiAuth('arrivals:write')
  @Idempotent()
  @ApiOperation({
    summary: 'Family tracing for a child or a separated family member: a referral to a family-tracing program through referral routing',
    description:
      "Referral routing decides (the person's referral consent, e.g. given at check-in, the partner's agreement, the program's eligibility) and delivers the referral; reception keeps the link. " +
      'A refusal is passed on with its reason (409 family-tracing-refused: no-referral-consent, referral-already-open, case-not-known-to-routing; 422: unknown or ineligible program).',
  })
  @ApiCreatedResponse({ type: FamilyTracingDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'family-tracing-refused (reason), arrival-not-ready' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'family-tracing-refused: unknown program or the case is not eligible (failedRules)' })
  @ApiServiceUnavailableResponse({ type: ProblemDetailsDto, description: 'routing-unavailable: nothing was requested' })
  async familyTracing(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Param('id', uuid) id: string, @Body() dto: RequestFamilyTracingDto): Promise<FamilyTracingDto> {
    const key = request.headers['idempotency-key'];
    return this.tracing.request(principal, id, dto, traceOf(request), typeof key === 'string' ? key : undefined);
  }

  @Get('arrivals/:id/family-tracing')
  @ApiAuth('arrivals:read')
  @ApiOperation({ summary: 'The family-tracing requests made for an arrival (the referrals are followed in referral routing)' })
  @ApiOkResponse({ type: [FamilyTracingDto] })
  async listFamilyTracing(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<FamilyTracingDto[]> {
    return this.tracing.list(principal, id);
  }

  @Post('arrivals/:id/handover')
  @HttpCode(200)
  @ApiAuth('arrivals:write')
  @ApiOperation({ summary: 'Hand an unaccompanied child to the child-protection authority (DINAF, PGN, CONNA) with the receiving officer and a verified guardian or a placement' })
  @ApiOkResponse({ type: ArrivalDto })
  @ApiConflictResponse({ type: ProblemDetailsDto })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'the guardian is not verified' })
  async handOver(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Param('id', uuid) id: string, @Body() dto: HandOverDto): Promise<ArrivalDto> {
    return this.arrivals.handOver(principal, id, dto, traceOf(request));
  }

  @Post('arrivals/:id/check-out')
  @HttpCode(200)
  @ApiAuth('arrivals:write')
  @ApiOperation({ summary: 'The person leaves the center (an unaccompanied child only through the hand-over: 409)' })
  @ApiOkResponse({ type: ArrivalDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'child-handover-required' })
  async checkOut(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<ArrivalDto> {
    return this.arrivals.checkOut(principal, id);
  }

  @Get('arrivals/:id/medical-notes')
  @ApiAuth('medical:read')
  @ApiOperation({ summary: 'Medical notes from the manifest (special category; each read audited)' })
  @ApiOkResponse({ type: MedicalNotesDto })
  async medicalNotes(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Param('id', uuid) id: string): Promise<MedicalNotesDto> {
    return this.arrivals.medicalNotes(principal, request, id);
  }
}
