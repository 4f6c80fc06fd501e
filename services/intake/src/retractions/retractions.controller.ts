import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '@puente/audit';
import { ApiAuth } from '@puente/auth';
import { RetractionNoticeListDto, RetractionReceiptDto } from '@puente/federation';
import { ProblemDetailsDto } from '@puente/platform';
import { uuidParam } from '../common/problems';
import { RetractionNotices } from './retraction-notices';

@ApiTags('retractions')
@Controller()
export class RetractionsController {
  constructor(private readonly notices: RetractionNotices) {}

  @Get('persons/:id/retractions')
  @ApiAuth('cases:read')
  @ApiOperation({
    summary: "Retraction notices about a person and which receipts are missing",
    description:
      'After a consent withdrawal or an erasure, every partner and node that received the person\'s data from intake (disclosures, match keys) is sent a notice and must answer with a receipt. ' +
      'Lists each notice (receiver, cause, channels, due time, receipt) and how many receipts are missing. Ids and codes only.',
  })
  @ApiOkResponse({ type: RetractionNoticeListDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'not-found: no such person in the caller\'s jurisdictions' })
  async list(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string): Promise<RetractionNoticeListDto> {
    return this.notices.list(caller, id);
  }

  @Post('retraction-notices/:id/receipt')
  @HttpCode(200)
  @ApiAuth('retractions:answer')
  @ApiOperation({
    summary: 'A partner answers a retraction notice addressed to it',
    description: "The partner says it stopped processing the person's data and deleted or crypto-shredded what it held. Idempotent: a second answer returns the first receipt time.",
  })
  @ApiOkResponse({ type: RetractionReceiptDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: "not-found: no notice with this id is addressed to the caller's partner" })
  async answer(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string): Promise<RetractionReceiptDto> {
    return this.notices.answer(caller, id);
  }
}
