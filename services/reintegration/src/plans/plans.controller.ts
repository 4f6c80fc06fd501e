import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
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
import { ApiPaginatedResponse, Idempotent, type Page, ProblemDetailsDto, RequireIfMatch, WithEtag } from '@puente/platform';
import {
  AddMemberDto,
  CompleteTaskDto,
  CreatePlanDto,
  CreateTaskDto,
  FollowUpDto,
  ListPlansQueryDto,
  MilestoneParamsDto,
  PlanDto,
  PlanIdParamsDto,
  RecordFollowUpDto,
  SustainabilityQuestionDto,
  TaskDto,
  TaskIdParamsDto,
  TransitionDto,
  UpdatePlanDto,
} from './plans.dto';
import { PlansService } from './plans.service';
import { SUSTAINABILITY_QUESTIONS } from './sustainability';

const PURPOSE = 'case-management';

@ApiTags('plans')
@Controller()
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Post('plans')
  @ApiAuth('reintegration:write')
  @Idempotent()
  @WithEtag()
  @Audited({ action: 'plan.create', objectType: 'plan', purpose: PURPOSE, objectIdParam: createdObjectId })
  @ApiOperation({
    summary: 'Open a reintegration plan for a person or a household',
    description:
      'A draft plan with its members (each with their goals and coded specific needs) and assigned partner programs (active programs of referral-routing\'s directory). ' +
      'Every member needs a reintegration_support consent in force (recorded at intake, learned from its events): otherwise 403 consent-required with one error per member. ' +
      'One open plan per case (409). Emits PlanCreated.',
  })
  @ApiCreatedResponse({ type: PlanDto })
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'consent-required (a member without a reintegration_support consent in force, or erased), outside-jurisdiction, or a missing scope' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'already-exists: the case has an open plan' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'unknown-code: a program id that is not an active program of the directory' })
  async create(@Body() body: CreatePlanDto, @CurrentCaller() caller: Caller): Promise<PlanDto> {
    return this.plans.create(caller, body);
  }

  @Get('plans')
  @ApiAuth('reintegration:read')
  @ApiOperation({ summary: 'Plans in your jurisdictions, newest last; by case and status' })
  @ApiPaginatedResponse(PlanDto)
  async list(@Query() query: ListPlansQueryDto, @CurrentCaller() caller: Caller): Promise<Page<PlanDto>> {
    return this.plans.list(caller, query);
  }

  @Get('plans/:planId')
  @ApiAuth('reintegration:read')
  @WithEtag()
  @Audited({ action: 'plan.read', objectType: 'plan', purpose: PURPOSE, objectIdParam: 'planId' })
  @ApiOperation({ summary: 'A plan: members, goals, specific needs, programs, status and the actions it accepts' })
  @ApiOkResponse({ type: PlanDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param() params: PlanIdParamsDto, @CurrentCaller() caller: Caller): Promise<PlanDto> {
    return this.plans.get(caller, params.planId);
  }

  @Patch('plans/:planId')
  @ApiAuth('reintegration:write')
  @RequireIfMatch()
  @WithEtag()
  @Audited({ action: 'plan.update', objectType: 'plan', purpose: PURPOSE, objectIdParam: 'planId' })
  @ApiOperation({ summary: "Change members' goals and specific needs and the partner programs of an open plan", description: 'With If-Match (the ETag read). A program that owns open tasks stays (409 program-owns-tasks).' })
  @ApiOkResponse({ type: PlanDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'plan-closed, program-owns-tasks' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'unknown-code: not a member, or not an active program of the directory' })
  async update(@Param() params: PlanIdParamsDto, @Body() body: UpdatePlanDto, @CurrentCaller() caller: Caller): Promise<PlanDto> {
    return this.plans.update(caller, params.planId, body);
  }

  @Post('plans/:planId/members')
  @ApiAuth('reintegration:write')
  @Idempotent()
  @WithEtag()
  @Audited({ action: 'plan.add-member', objectType: 'plan', purpose: PURPOSE, objectIdParam: 'planId' })
  @ApiOperation({ summary: 'Add a household member to an open plan', description: 'The member needs a reintegration_support consent in force on the case (403 consent-required otherwise).' })
  @ApiCreatedResponse({ type: PlanDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'consent-required, or a missing scope' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'already-exists (a member already), plan-closed' })
  async addMember(@Param() params: PlanIdParamsDto, @Body() body: AddMemberDto, @CurrentCaller() caller: Caller): Promise<PlanDto> {
    return this.plans.addMember(caller, params.planId, body);
  }

  @Post('plans/:planId/transitions')
  @ApiAuth('reintegration:write')
  @HttpCode(200)
  @WithEtag()
  @Audited({ action: 'plan.transition', objectType: 'plan', purpose: PURPOSE, objectIdParam: 'planId' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag of the plan as read; 412 if it changed since' })
  @ApiOperation({
    summary: 'Move a plan through its status',
    description:
      'activate (draft → active: the follow-ups at 1, 3, 6 and 12 months are scheduled from now), hold (active → on_hold), resume (on_hold → active), ' +
      'complete (active → completed) and drop (any open plan → dropped), the last two with an outcome; PlanStatusChanged or PlanClosed (with the outcome and the latest scores, for the referring center). ' +
      'Any other move is 409 invalid-transition naming the actions allowed.',
  })
  @ApiOkResponse({ type: PlanDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'invalid-transition' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'invalid-outcome: the outcome does not fit the closing status' })
  @ApiResponse({ status: 412, type: ProblemDetailsDto, description: 'precondition-failed' })
  @ApiResponse({ status: 428, type: ProblemDetailsDto, description: 'precondition-required: an If-Match header was sent empty' })
  async transition(@Param() params: PlanIdParamsDto, @Body() body: TransitionDto, @CurrentCaller() caller: Caller): Promise<PlanDto> {
    return this.plans.transition(caller, params.planId, body);
  }

  @Post('plans/:planId/tasks')
  @ApiAuth('reintegration:write')
  @Idempotent()
  @Audited({ action: 'plan.add-task', objectType: 'plan', purpose: PURPOSE, objectIdParam: 'planId' })
  @ApiOperation({
    summary: 'Add a task to a plan',
    description:
      'For one member, with a due date and an owner (a caseworker, one of the plan\'s partner programs, or the person): identity documents, certificate validation, school re-enrollment (minors; school register code, grade, status), ' +
      'psychosocial sessions, social-program enrolment, a bank or mobile-money account, housing. Coded details only. ' +
      "A certificate validation may name a pending certificate of the member's skills profile (certificate.certificateId): one open task per certificate, shown on the certificate.",
  })
  @ApiCreatedResponse({ type: TaskDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'plan-closed, certificate-has-task, certificate-already-decided' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: "not-a-member, unknown-code (a program that is not the plan's or the directory's; school re-enrollment for an adult), unknown-certificate" })
  async addTask(@Param() params: PlanIdParamsDto, @Body() body: CreateTaskDto, @CurrentCaller() caller: Caller): Promise<TaskDto> {
    return this.plans.addTask(caller, params.planId, body);
  }

  @Get('plans/:planId/tasks')
  @ApiAuth('reintegration:read')
  @Audited({ action: 'plan.read-tasks', objectType: 'plan', purpose: PURPOSE, objectIdParam: 'planId' })
  @ApiOperation({ summary: "A plan's tasks, by due date" })
  @ApiOkResponse({ type: [TaskDto] })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async tasks(@Param() params: PlanIdParamsDto, @CurrentCaller() caller: Caller): Promise<TaskDto[]> {
    return this.plans.tasks(caller, params.planId);
  }

  @Post('plans/:planId/tasks/:taskId/complete')
  @ApiAuth('reintegration:write')
  @HttpCode(200)
  @Audited({ action: 'plan.complete-task', objectType: 'plan', purpose: PURPOSE, objectIdParam: 'planId' })
  @ApiOperation({
    summary: 'Complete a task (TaskCompleted); a task completes once',
    description: "A certificate_validation task linked to a certificate takes certificateOutcome (validated or rejected), recorded on the certificate in the person's skills profile in the same transaction.",
  })
  @ApiOkResponse({ type: TaskDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiResponse({ status: 400, type: ProblemDetailsDto, description: 'certificateOutcome missing for a linked certificate validation, or sent for another task' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'already-completed (the task is completed or cancelled), plan-closed, certificate-already-decided' })
  async completeTask(@Param() params: TaskIdParamsDto, @Body() body: CompleteTaskDto, @CurrentCaller() caller: Caller): Promise<TaskDto> {
    return this.plans.completeTask(caller, params.planId, params.taskId, body ?? {});
  }

  @Get('plans/:planId/follow-ups')
  @ApiAuth('reintegration:read')
  @Audited({ action: 'plan.read-follow-ups', objectType: 'plan', purpose: PURPOSE, objectIdParam: 'planId' })
  @ApiOperation({ summary: "A plan's follow-up milestones (from activation): due date, pending, overdue or recorded, and the scores" })
  @ApiOkResponse({ type: [FollowUpDto] })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async followUps(@Param() params: PlanIdParamsDto, @CurrentCaller() caller: Caller): Promise<FollowUpDto[]> {
    return this.plans.followUps(caller, params.planId);
  }

  @Post('plans/:planId/follow-ups/:milestone')
  @ApiAuth('reintegration:write')
  @Idempotent()
  @Audited({ action: 'plan.record-follow-up', objectType: 'plan', purpose: PURPOSE, objectIdParam: 'planId' })
  @ApiOperation({
    summary: "Record a milestone's follow-up",
    description:
      'Every sustainability question answered with one of its codes (GET /v1/sustainability-questions); scored on the economic, social and psychosocial dimensions (0 to 1) and their mean. ' +
      'MilestoneReached. A plan not yet activated has no follow-ups (409 plan-not-active).',
  })
  @ApiCreatedResponse({ type: FollowUpDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'plan-not-active, already-recorded, plan-closed' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'invalid-answers: unknown questions or codes, unanswered questions' })
  async recordFollowUp(@Param() params: MilestoneParamsDto, @Body() body: RecordFollowUpDto, @CurrentCaller() caller: Caller): Promise<FollowUpDto> {
    return this.plans.recordFollowUp(caller, params.planId, params.milestone, body.answers);
  }

  @Get('sustainability-questions')
  @ApiAuth('reintegration:read')
  @ApiOperation({ summary: 'The structured questions of a follow-up, by dimension, with their answer codes (worst first)' })
  @ApiOkResponse({ type: [SustainabilityQuestionDto] })
  questions(): SustainabilityQuestionDto[] {
    return SUSTAINABILITY_QUESTIONS.map((q) => ({ id: q.id, dimension: q.dimension, text: q.text, answers: Object.keys(q.answers) }));
  }
}
