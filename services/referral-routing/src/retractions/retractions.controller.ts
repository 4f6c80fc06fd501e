import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth, CurrentPrincipal, type Principal } from '@puente/auth';
import { RetractionNoticeListDto, RetractionReceiptDto } from '@puente/federation';
import { ProblemDetailsDto } from '@puente/platform';
import type { FastifyRequest } from 'fastify';
import { callerOf } from '../referrals/referrals.controller';
import { IdParamsDto, PartnerRetractionFeedDto } from './retraction.dto';
import { RoutingRetractions } from './routing-retractions';

/**
 * Retraction notices of referral routing: the caseworker's view of what is missing, and the
 * partner's feed and receipt (the webhook and Kafka notices point here).
 */
@ApiTags('retractions')
@Controller()
export class RetractionsController {
  constructor(private readonly retractions: RoutingRetractions) {}

  @Get('persons/:id/retractions')
  @ApiAuth('cases:read')
  @ApiOperation({
    summary: 'Retraction notices about a person from referral routing, and which receipts are missing',
    description:
      "After a consent withdrawal or an erasure, every partner (webhook, Kafka, REST pull) and node (cross-border referral) that received the person's data from referral routing is sent a notice and must answer with a receipt. " +
      'Same shape as intake\'s list of its own notices. Ids and codes only.',
  })
  @ApiOkResponse({ type: RetractionNoticeListDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: "not-found: no such person in the caller's jurisdictions" })
  async list(@Param() { id }: IdParamsDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<RetractionNoticeListDto> {
    return this.retractions.list(callerOf(principal, request), id.toLowerCase());
  }

  @Get('partner/retraction-notices')
  @ApiAuth('retractions:answer')
  @ApiOperation({
    summary: 'Retraction notices addressed to you that you have not answered yet (oldest first)',
    description: "A REST-pull partner's way to hear of them; webhook and Kafka partners are also sent each one (type retraction.notice). Stop processing the person's data, delete or crypto-shred what you hold, then POST the receipt.",
  })
  @ApiOkResponse({ type: PartnerRetractionFeedDto })
  async feed(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<PartnerRetractionFeedDto> {
    return this.retractions.partnerFeed(callerOf(principal, request));
  }

  @Post('partner/retraction-notices/:id/receipt')
  @HttpCode(200)
  @ApiAuth('retractions:answer')
  @ApiOperation({
    summary: 'Answer a retraction notice addressed to you',
    description: "You stopped processing the person's data and deleted or crypto-shredded what you held. Idempotent: a second answer returns the first receipt time.",
  })
  @ApiOkResponse({ type: RetractionReceiptDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: "not-found: no notice with this id is addressed to the caller's partner" })
  async answer(@Param() { id }: IdParamsDto, @CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest): Promise<RetractionReceiptDto> {
    return this.retractions.answer(callerOf(principal, request), id.toLowerCase());
  }
}
