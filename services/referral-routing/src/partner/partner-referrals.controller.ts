import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Audited } from '@puente/audit';
import { ApiAuth, CurrentPrincipal, type Principal } from '@puente/auth';
import { ApiPaginatedResponse, Idempotent, mapPage, type Page, PageQueryDto, ProblemDetailsDto, WithEtag } from '@puente/platform';
import type { FastifyRequest } from 'fastify';
import { ListReferralsQueryDto, PartnerActionParamsDto, PartnerReferralDto, PostMessageDto, ReferralDto, ReferralIdParamsDto, ReferralMessageDto, TransitionDto } from '../referrals/referral.dto';
import { callerOf } from '../referrals/referrals.controller';
import { ReferralsService, toDto } from '../referrals/referrals.service';
import { PartnerPersons, ReferralPersonsDto } from './partner-persons';

const PURPOSE = 'referral';

/**
 * The receiving partner's side, with its own tokens: only referrals addressed to the caller's
 * partner id exist here (another partner's referral is a 404, like an unknown id).
 */
@ApiTags('partner referrals')
@Controller('partner/referrals')
export class PartnerReferralsController {
  constructor(
    private readonly referrals: ReferralsService,
    private readonly partnerPersons: PartnerPersons,
  ) {}

  @Get()
  @ApiAuth('referrals:read')
  @Audited({ action: 'referral.partner-list', objectType: 'referral', purpose: PURPOSE, objectIdParam: () => null })
  @ApiOperation({ summary: 'Referrals addressed to you, newest first (REST pull)', description: 'Filter by status (e.g. sent: not yet acknowledged). Cursor-paginated.' })
  @ApiPaginatedResponse(ReferralDto)
  async list(@Query() query: ListReferralsQueryDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<Page<ReferralDto>> {
    return mapPage(await this.referrals.list(callerOf(principal, request), 'partner', query), (r) => toDto(r, 'partner'));
  }

  @Get(':id')
  @ApiAuth('referrals:read')
  @WithEtag()
  @Audited({ action: 'referral.partner-read', objectType: 'referral', purpose: PURPOSE })
  @ApiOperation({ summary: 'One referral addressed to you, with the case minimized to your agreement and the person’s consents' })
  @ApiOkResponse({ type: PartnerReferralDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param() params: ReferralIdParamsDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<PartnerReferralDto> {
    return this.referrals.get(callerOf(principal, request), 'partner', params.id.toLowerCase()) as Promise<PartnerReferralDto>;
  }

  @Get(':id/persons')
  @ApiAuth('referrals:read')
  @Audited({ action: 'referral.partner-persons', objectType: 'referral', purpose: PURPOSE })
  @ApiOperation({
    summary: 'The covered persons’ identity fields your agreement and their consents allow (for REST pull; webhooks carry them)',
    description: 'Asked of intake at this moment and never stored by routing; each person disclosed is audited. Only while the referral is open.',
  })
  @ApiOkResponse({ type: ReferralPersonsDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'referral-closed: the referral is completed, rejected, cancelled, failed, expired or entered in error' })
  @ApiServiceUnavailableResponse({ type: ProblemDetailsDto, description: 'intake-unavailable: nothing was disclosed; retry after Retry-After seconds' })
  async persons(@Param() params: ReferralIdParamsDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<ReferralPersonsDto> {
    return this.partnerPersons.read(callerOf(principal, request), params.id.toLowerCase());
  }

  @Post(':id/acknowledge')
  @ApiAuth('referrals:write')
  @HttpCode(200)
  @Idempotent({ required: false })
  @WithEtag()
  @Audited({ action: 'referral.acknowledge', objectType: 'referral', purpose: PURPOSE })
  @ApiOperation({ summary: 'Acknowledge receipt (the same as POST …/receive with reason acknowledged); repeating it is harmless' })
  @ApiOkResponse({ type: PartnerReferralDto })
  async acknowledge(@Param() params: ReferralIdParamsDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<PartnerReferralDto> {
    return (await this.referrals.act(callerOf(principal, request), 'partner', params.id.toLowerCase(), 'receive', { reason: 'acknowledged' }, request)).dto as PartnerReferralDto;
  }

  @Post(':id/messages')
  @ApiAuth('referrals:write')
  @Idempotent({ required: false })
  @Audited({ action: 'referral.partner-message', objectType: 'referral', purpose: PURPOSE })
  @ApiOperation({ summary: 'Ask the referring caseworker for information, answer, or leave a progress note' })
  @ApiCreatedResponse({ type: ReferralMessageDto })
  async postMessage(@Param() params: ReferralIdParamsDto, @Body() body: PostMessageDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<ReferralMessageDto> {
    return this.referrals.postMessage(callerOf(principal, request), 'partner', params.id.toLowerCase(), body);
  }

  @Get(':id/messages')
  @ApiAuth('referrals:read')
  @Audited({ action: 'referral.partner-messages', objectType: 'referral', purpose: PURPOSE })
  @ApiOperation({ summary: 'Messages on a referral addressed to you, oldest first' })
  @ApiPaginatedResponse(ReferralMessageDto)
  async messages(@Param() params: ReferralIdParamsDto, @Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<Page<ReferralMessageDto>> {
    return this.referrals.messages(callerOf(principal, request), 'partner', params.id.toLowerCase(), query);
  }

  @Post(':id/:action')
  @ApiAuth('referrals:write')
  @HttpCode(200)
  @Idempotent({ required: false })
  @WithEtag()
  @Audited({ action: 'referral.partner-transition', objectType: 'referral', purpose: PURPOSE })
  @ApiHeader({ name: 'If-Match', required: false, description: 'ETag of the referral as you read it; 412 if it changed since' })
  @ApiOperation({
    summary: 'Receive, accept, reject, start, hold, resume, progress (milestone) or complete (outcome) a referral addressed to you',
    description:
      'With a coded reason. Accept reserves a slot of the program (409 program-full when none is left); reject, complete and cancel release it. ' +
      'An illegal transition is 409 illegal-referral-transition; repeating one already done (a retried callback) answers the referral as it is.',
  })
  @ApiOkResponse({ type: PartnerReferralDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'illegal-referral-transition, program-full' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'invalid-referral-transition (reason, milestone or outcome)' })
  @ApiResponse({ status: 412, type: ProblemDetailsDto, description: 'precondition-failed' })
  async act(@Param() params: PartnerActionParamsDto, @Body() body: TransitionDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<PartnerReferralDto> {
    return (await this.referrals.act(callerOf(principal, request), 'partner', params.id.toLowerCase(), params.action, body, request)).dto as PartnerReferralDto;
  }
}
