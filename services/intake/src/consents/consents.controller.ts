import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAuth } from '@puente/auth';
import { ApiPaginatedResponse, Idempotent, type Page, ProblemDetailsDto } from '@puente/platform';
import { type Caller, CurrentCaller } from '@puente/audit';
import { uuidParam } from '../common/problems';
import { ConsentDto, ListConsentsQueryDto, RecordConsentDto } from './consent.dto';
import { ConsentsService } from './consents.service';

@ApiTags('consents')
@Controller()
export class ConsentsController {
  constructor(private readonly consents: ConsentsService) {}

  @Post('cases/:caseId/consents')
  @ApiAuth('consents:write')
  @Idempotent()
  @ApiOperation({
    summary: 'Record a person\'s consent for a purpose (screening, referral, cross-border transfer, data sharing with a partner)',
    description: 'How it was given (written, verbal with witness, guardian for children) and its validity. Publishes ConsentRecorded.',
  })
  // One example per kind of consent: the fields that fit one purpose are refused on another.
  @ApiBody({
    type: RecordConsentDto,
    examples: {
      screening: {
        summary: 'Screening, written',
        value: { personId: '01d7b891-7559-4429-92de-b0a2238b2545', purpose: 'screening', method: 'written' },
      },
      dataSharing: {
        summary: 'Data sharing with one partner (COMAR), verbal with a witness, until a date',
        value: {
          personId: '01d7b891-7559-4429-92de-b0a2238b2545',
          purpose: 'data_sharing',
          partnerId: 'MX-COMAR',
          method: 'verbal_with_witness',
          witnessedBy: 'GT-MRC-01/cw-0042',
          validUntil: '2027-09-10T00:00:00Z',
        },
      },
      transfer: {
        summary: 'Cross-border transfer to Mexico, given by a guardian for a child',
        value: {
          personId: '01d7b891-7559-4429-92de-b0a2238b2545',
          purpose: 'cross_border_transfer',
          destinationCountry: 'MX',
          method: 'guardian',
          guardianReference: 'PGN-GT-2026-0042',
        },
      },
    },
  })
  @ApiCreatedResponse({ type: ConsentDto })
  async record(@CurrentCaller() caller: Caller, @Param('caseId', uuidParam('caseId')) caseId: string, @Body() dto: RecordConsentDto): Promise<ConsentDto> {
    return this.consents.record(caller, caseId, dto);
  }

  @Get('cases/:caseId/consents')
  @ApiAuth('cases:read')
  @ApiOperation({ summary: 'Consents of a case, oldest first, with their state now' })
  @ApiPaginatedResponse(ConsentDto)
  async list(@CurrentCaller() caller: Caller, @Param('caseId', uuidParam('caseId')) caseId: string, @Query() query: ListConsentsQueryDto): Promise<Page<ConsentDto>> {
    return this.consents.list(caller, caseId, query);
  }

  @Get('consents/:id')
  @ApiAuth('cases:read')
  @ApiOkResponse({ type: ConsentDto })
  async get(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string): Promise<ConsentDto> {
    return this.consents.get(caller, id);
  }

  @Post('consents/:id/withdraw')
  @HttpCode(200)
  @ApiAuth('consents:write')
  @ApiOperation({ summary: 'Withdraw a consent (publishes ConsentWithdrawn); 409 if already withdrawn' })
  @ApiOkResponse({ type: ConsentDto })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'illegal-transition: already withdrawn' })
  async withdraw(@CurrentCaller() caller: Caller, @Param('id', uuidParam('id')) id: string): Promise<ConsentDto> {
    return this.consents.withdraw(caller, id);
  }
}
