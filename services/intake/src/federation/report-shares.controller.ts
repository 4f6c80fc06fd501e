import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiNotFoundResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller } from '@puente/audit';
import { ApiAuth } from '@puente/auth';
import { type ExchangeWriter, NotAgreedError, sendReportShare } from '@puente/federation';
import { ProblemDetailsDto, ProblemException } from '@puente/platform';
import { ReportQueryDto, ReportsService } from '@puente/reports';
import { Matches } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EXCHANGE_WRITER } from './federation.tokens';

export const REPORTS_SHARE_SCOPE = 'reports:share';

export class ShareReportDto extends ReportQueryDto {
  @ApiProperty({ example: 'HN', description: 'The peer node to share the report with (ISO 3166-1 alpha-2); the agreement with it must list report-share' })
  @Matches(/^[A-Z]{2}$/, { message: 'node must be a node code such as HN' })
  node!: string;
}

export class ReportShareDto {
  @ApiProperty({ format: 'uuid', description: 'Id of the share, the same at the peer (GET /v1/shared-reports/{id} there)' }) shareId!: string;
  @ApiProperty({ description: 'The envelope that carries it (its receipt comes back from the peer)' }) envelopeId!: string;
  @ApiProperty({ example: 'HN' }) node!: string;
  @ApiProperty({ example: 'registrations-by-site' }) report!: string;
  @ApiProperty({ type: 'integer', description: 'Cells sent (suppressed ones without their count)' }) cells!: number;
  @ApiProperty({ type: 'integer' }) suppressedCells!: number;
}

/**
 * Sharing one of intake's reports with a peer node: the report is computed and suppressed here
 * exactly as GET /v1/reports/{report} answers it, then sealed for the peer (codes and counts only).
 */
@ApiTags('reports')
@Controller('reports')
export class ReportSharesController {
  constructor(
    private readonly reports: ReportsService,
    private readonly dataSource: DataSource,
    @Inject(EXCHANGE_WRITER) private readonly writer: ExchangeWriter,
  ) {}

  @Post(':report/shares')
  @HttpCode(202)
  @ApiAuth(REPORTS_SHARE_SCOPE)
  @ApiOperation({
    summary: 'Share a report (aggregates only) with a peer node through federation',
    description:
      'The report as GET /v1/reports/{report} answers it for the same from/to/perWeek: small cells are suppressed BEFORE it is sealed, so no count under 5 leaves this node. ' +
      'It travels as an envelope of kind report-share (codes and counts only); the peer stores it and serves it at GET /v1/shared-reports. 400 when the node is not a peer this node may share reports with.',
  })
  @ApiAcceptedResponse({ type: ReportShareDto })
  @ApiBadRequestResponse({ type: ProblemDetailsDto, description: 'invalid node, weeks, or no agreement with that node for report-share' })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'no such report' })
  async share(@CurrentCaller() caller: Caller, @Param('report') id: string, @Body() dto: ShareReportDto): Promise<ReportShareDto> {
    const noAgreement = () =>
      ProblemException.badRequest('This node may not share reports with that node (not a peer, or the agreement does not list report-share).', {
        errors: [{ field: 'node', message: 'no agreement to share reports with this node', code: 'not-agreed' }],
      });
    if (dto.node === this.writer.registry.node || !this.writer.registry.maySend(dto.node, 'report-share')) throw noAgreement();
    const report = await this.reports.report(id, { from: dto.from, to: dto.to, perWeek: dto.perWeek });
    try {
      const sent = await this.dataSource.transaction((tx) => sendReportShare(tx, this.writer, { to: dto.node, service: 'intake', report, shareId: randomUUID(), traceparent: caller.traceparent }));
      return { shareId: sent.shareId, envelopeId: sent.envelopeId, node: dto.node, report: report.report, cells: sent.content.cells.length, suppressedCells: sent.content.cells.filter((c) => c.suppressed).length };
    } catch (error) {
      if (error instanceof NotAgreedError) throw noAgreement();
      throw error;
    }
  }
}
