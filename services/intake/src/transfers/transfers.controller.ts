import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { ApiAuth } from '@puente/auth';
import { type Caller, CurrentCaller } from '@puente/audit';
import { ApiPaginatedResponse, type Page, ProblemDetailsDto } from '@puente/platform';
import { uuidParam } from '../common/problems';
import { AcceptTransferDto, ListTransfersQueryDto, RejectTransferDto, RequestTransferDto, TransferDto } from './transfer.dto';
import { TransfersService } from './transfers.service';

const uuid = uuidParam('id');
const caseUuid = uuidParam('caseId');

/** Custody transfers of cases between country nodes (docs/federation.md). */
@ApiTags('transfers')
@Controller()
export class TransfersController {
  constructor(private readonly transfers: TransfersService) {}

  @Post('cases/:caseId/transfers')
  @ApiAuth('transfers:write')
  @ApiOperation({
    summary: 'Transfer custody of a case to another node',
    description:
      'Sends the case (its persons’ identities as far as the node agreement and each person’s cross-border transfer consent allow, consents, household, history references) sealed to the destination, which decides within its SLA. The case is transfer_pending until then.',
  })
  @ApiCreatedResponse({ type: TransferDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'No case with this id in your jurisdictions' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'transfer-not-allowed (reason no-agreement, no-consent, protection-block or no-persons when every member was erased; nothing sent), or illegal-transition (the case is closed, transferred or already being transferred)' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'destinationNode is not a node this one exchanges with' })
  async request(@CurrentCaller() caller: Caller, @Param('caseId', caseUuid) caseId: string, @Body() dto: RequestTransferDto): Promise<TransferDto> {
    return this.transfers.request(caller, caseId, dto);
  }

  @Get('transfers')
  @ApiAuth('cases:read')
  @ApiOperation({ summary: 'Transfers of your sites’ cases (outbound) and, for this node’s jurisdiction, those waiting here (inbound), newest first' })
  @ApiPaginatedResponse(TransferDto)
  async list(@CurrentCaller() caller: Caller, @Query() query: ListTransfersQueryDto): Promise<Page<TransferDto>> {
    return this.transfers.list(caller, { ...query, limit: query.limit ?? 50 });
  }

  @Get('transfers/:id')
  @ApiAuth('cases:read')
  @ApiOkResponse({ type: TransferDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<TransferDto> {
    return this.transfers.get(caller, id);
  }

  @Post('transfers/:id/accept')
  @HttpCode(200)
  @ApiAuth('transfers:write')
  @ApiOperation({ summary: 'Accept a pending transfer: its persons are registered at your site (someone already known here is linked, not registered again) on a case linked to the origin’s' })
  @ApiOkResponse({ type: TransferDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'Only the destination accepts; or the site is outside your jurisdictions' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'illegal-transition: already decided or withdrawn' })
  async accept(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string, @Body() dto: AcceptTransferDto): Promise<TransferDto> {
    return this.transfers.accept(caller, id, dto);
  }

  @Post('transfers/:id/reject')
  @HttpCode(200)
  @ApiAuth('transfers:write')
  @ApiOperation({ summary: 'Decline a pending transfer with a reason code (custody stays at the origin)' })
  @ApiOkResponse({ type: TransferDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'Only the destination rejects' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'illegal-transition: already decided or withdrawn' })
  async reject(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string, @Body() dto: RejectTransferDto): Promise<TransferDto> {
    return this.transfers.reject(caller, id, dto.reason as never);
  }

  @Post('transfers/:id/withdraw')
  @HttpCode(200)
  @ApiAuth('transfers:write')
  @ApiOperation({ summary: 'Withdraw a transfer the destination has not decided yet (the case goes back to its status before)' })
  @ApiOkResponse({ type: TransferDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'Only the origin withdraws' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'illegal-transition: already decided or withdrawn' })
  async withdraw(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<TransferDto> {
    return this.transfers.withdraw(caller, id);
  }
}
