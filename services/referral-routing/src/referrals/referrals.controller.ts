import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Audited, callerOf as auditCallerOf, createdObjectId } from '@puente/audit';
import { ApiAuth, CurrentPrincipal, type Principal } from '@puente/auth';
import { ApiPaginatedResponse, Idempotent, mapPage, type Page, PageQueryDto, ProblemDetailsDto, RequireIfMatch, setEtag, WithEtag } from '@puente/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CaseworkerActionParamsDto,
  CreateReferralDto,
  ListReferralsQueryDto,
  PatchReferralDto,
  PostMessageDto,
  ReferralDetailDto,
  ReferralDto,
  ReferralIdParamsDto,
  ReferralMessageDto,
  TransitionDto,
} from './referral.dto';
import { type Caller, etagOf, ReferralsService, toDto } from './referrals.service';

const PURPOSE = 'referral';

export function callerOf(principal: Principal, request: FastifyRequest): Caller {
  return { ...auditCallerOf(request), principal };
}

/** The referring caseworker's side: create, read, cancel, hold, resume, mark in error, messages. */
@ApiTags('referrals')
@Controller('referrals')
export class ReferralsController {
  constructor(private readonly referrals: ReferralsService) {}

  @Post()
  @ApiAuth('referrals:write')
  @Idempotent()
  @Audited({ action: 'referral.create', objectType: 'referral', purpose: PURPOSE, objectIdParam: createdObjectId })
  @ApiOperation({
    summary: 'Refer a case to a program',
    description:
      'From a routing suggestion or by hand: the program, the case, the household members it covers and why. Needs a referral consent in force for the program’s partner ' +
      '(409 referral-not-allowed with reason no-referral-consent), a data-sharing agreement with it (no-data-sharing-agreement), an open case (case-closed, person-erased); ' +
      'an ineligible case is 422 case-not-eligible with the failed rules; an unknown program 422 unknown-program. The partner is told on its channels (webhook, Kafka topic, REST pull).',
  })
  @ApiCreatedResponse({ type: ReferralDetailDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'referral-not-allowed (with reason), referral-already-open' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'case-not-eligible (failedRules), unknown-program, invalid-referral' })
  async create(@Body() body: CreateReferralDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ReferralDetailDto> {
    const created = await this.referrals.create(callerOf(principal, request), body);
    void reply.header('Location', `/v1/referrals/${created.id}`);
    setEtag(reply, etagOf(created));
    return created;
  }

  @Get()
  @ApiAuth('referrals:read')
  @Audited({ action: 'referral.list', objectType: 'referral', purpose: PURPOSE, objectIdParam: () => null })
  @ApiOperation({ summary: 'Referrals your site made, newest first', description: 'Filter by status or case. Cursor-paginated.' })
  @ApiPaginatedResponse(ReferralDto)
  async list(@Query() query: ListReferralsQueryDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<Page<ReferralDto>> {
    return mapPage(await this.referrals.list(callerOf(principal, request), 'referrer', query), (r) => toDto(r, 'referrer'));
  }

  @Get(':id')
  @ApiAuth('referrals:read')
  @WithEtag()
  @Audited({ action: 'referral.read', objectType: 'referral', purpose: PURPOSE })
  @ApiOperation({ summary: 'One referral with its history (who did what, when and why)' })
  @ApiOkResponse({ type: ReferralDetailDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param() params: ReferralIdParamsDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<ReferralDetailDto> {
    return this.referrals.get(callerOf(principal, request), 'referrer', params.id.toLowerCase()) as Promise<ReferralDetailDto>;
  }

  @Patch(':id')
  @ApiAuth('referrals:write')
  @RequireIfMatch()
  @WithEtag()
  @Audited({ action: 'referral.update', objectType: 'referral', purpose: PURPOSE })
  @ApiOperation({ summary: 'Move a referral (the action named in the body), on the version you read', description: 'Same as POST /v1/referrals/{id}/{action}; If-Match required (412 when stale).' })
  @ApiOkResponse({ type: ReferralDetailDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'illegal-referral-transition' })
  @ApiResponse({ status: 412, type: ProblemDetailsDto, description: 'precondition-failed' })
  async patch(@Param() params: ReferralIdParamsDto, @Body() body: PatchReferralDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<ReferralDetailDto> {
    const { action, ...transition } = body;
    return (await this.referrals.act(callerOf(principal, request), 'referrer', params.id.toLowerCase(), action, transition, request)).dto;
  }

  @Post(':id/messages')
  @ApiAuth('referrals:write')
  @Idempotent({ required: false })
  @Audited({ action: 'referral.message', objectType: 'referral', purpose: PURPOSE })
  @ApiOperation({ summary: 'Ask the partner for information, answer it, or leave a note' })
  @ApiCreatedResponse({ type: ReferralMessageDto })
  async postMessage(@Param() params: ReferralIdParamsDto, @Body() body: PostMessageDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<ReferralMessageDto> {
    return this.referrals.postMessage(callerOf(principal, request), 'referrer', params.id.toLowerCase(), body);
  }

  @Get(':id/messages')
  @ApiAuth('referrals:read')
  @Audited({ action: 'referral.messages', objectType: 'referral', purpose: PURPOSE })
  @ApiOperation({ summary: 'Messages on a referral, oldest first' })
  @ApiPaginatedResponse(ReferralMessageDto)
  async messages(@Param() params: ReferralIdParamsDto, @Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<Page<ReferralMessageDto>> {
    return this.referrals.messages(callerOf(principal, request), 'referrer', params.id.toLowerCase(), query);
  }

  @Post(':id/:action')
  @ApiAuth('referrals:write')
  @HttpCode(200)
  @Idempotent({ required: false })
  @WithEtag()
  @Audited({ action: 'referral.transition', objectType: 'referral', purpose: PURPOSE })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag of the referral as you read it; 412 if it changed since' })
  @ApiOperation({
    summary: 'Cancel, hold, resume or mark a referral entered in error',
    description: 'With a coded reason. An illegal transition is 409 illegal-referral-transition; repeating one already done answers the referral as it is.',
  })
  @ApiOkResponse({ type: ReferralDetailDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'illegal-referral-transition' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'invalid-referral-transition (reason not accepted for the action)' })
  @ApiResponse({ status: 412, type: ProblemDetailsDto, description: 'precondition-failed' })
  async act(@Param() params: CaseworkerActionParamsDto, @Body() body: TransitionDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<ReferralDetailDto> {
    return (await this.referrals.act(callerOf(principal, request), 'referrer', params.id.toLowerCase(), params.action, body, request)).dto;
  }
}
