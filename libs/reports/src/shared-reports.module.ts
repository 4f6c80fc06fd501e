// Reports peers shared with this node, served like local reports (JSON, CSV, chart):
//   GET /v1/shared-reports?from=GT&report=…        what was received, newest first
//   GET /v1/shared-reports/{id}                   one, as JSON (the same shape as a local report, `node` the sender)
//   GET /v1/shared-reports/{id}/csv               CSV
//   GET /v1/shared-reports/{id}/chart             chart-ready labels and datasets
// under `reports:read`. What arrives is stored by `storeSharedReport`, called by the service's
// exchange receiver for envelopes of kind `report-share` (libs/federation report-share.ts).
import { Controller, type DynamicModule, Get, Header, Module, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiAuth } from '@puente/auth';
import { decodeCursor, encodeCursor, PageQueryDto, ProblemException } from '@puente/platform';
import { IsOptional, Matches } from 'class-validator';
import { DataSource } from 'typeorm';
import { type ChartData, type PublishedReport, reportChart, reportCsv } from './export';
import { ChartDataDto, PublishedReportDto, REPORTS_SCOPE } from './reports.module';
import { receivedReport, type SharedReportContent } from './sharing';
import { SMALL_CELL_THRESHOLD } from './suppression';

/** Anything that runs SQL (an EntityManager in the receiver's transaction, a DataSource). */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Stores a peer's report once (the share id is the same at both nodes); checked first (UnshareableReportError). */
export async function storeSharedReport(tx: SqlRunner, fromNode: string, envelopeId: string, shareId: string, content: SharedReportContent): Promise<void> {
  receivedReport(fromNode, content);
  await tx.query(
    `INSERT INTO shared_report (share_id, envelope_id, from_node, service, report, unit, dimensions, from_week, to_week, generated_at, cells)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb) ON CONFLICT (share_id) DO NOTHING`,
    [
      shareId,
      envelopeId,
      fromNode,
      content.service,
      content.report,
      content.unit,
      content.dimensions,
      content.fromWeek || null,
      content.toWeek || null,
      content.generatedAt,
      JSON.stringify(content.cells.map((c) => ({ values: c.values, count: c.count, suppressed: c.suppressed }))),
    ],
  );
}

interface SharedReportRow {
  share_id: string;
  from_node: string;
  service: string;
  report: string;
  unit: string;
  dimensions: string[];
  from_week: string | null;
  to_week: string | null;
  generated_at: Date;
  received_at: Date;
  cells: { values: string[]; count: number; suppressed: boolean }[];
}

export class SharedReportQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only reports shared by this node (ISO 3166-1 alpha-2)', example: 'GT' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'from must be a node code such as GT' })
  from?: string;

  @ApiPropertyOptional({ description: 'Only this report id', example: 'registrations-by-site' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { message: 'report must be a report id such as registrations-by-site' })
  report?: string;
}

export class SharedReportSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'GT', description: 'The node that shared it' }) node!: string;
  @ApiProperty({ example: 'intake' }) service!: string;
  @ApiProperty({ example: 'registrations-by-site' }) report!: string;
  @ApiProperty({ example: 'persons' }) unit!: string;
  @ApiProperty({ type: [String], example: ['site'] }) dimensions!: string[];
  @ApiProperty({ type: 'string', nullable: true, example: '2026-W01' }) from!: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: '2026-W52' }) to!: string | null;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
}

export class SharedReportListDto {
  @ApiProperty({ type: [SharedReportSummaryDto] }) items!: SharedReportSummaryDto[];
  @ApiProperty({ type: 'string', nullable: true }) nextCursor!: string | null;
}

const CURSOR = { t: 'timestamp', id: 'string' } as const;

/** Reports received from peers, read from this service's database. */
export class SharedReportsService {
  constructor(private readonly dataSource: DataSource) {}

  async list(query: SharedReportQueryDto): Promise<SharedReportListDto> {
    const scope = `shared-reports?from=${query.from ?? ''}&report=${query.report ?? ''}`;
    const after = query.cursor ? decodeCursor(query.cursor, CURSOR, scope) : null;
    const rows: (SharedReportRow & { t: string })[] = await this.dataSource.query(
      `SELECT *, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t FROM shared_report
        WHERE ($1::text IS NULL OR from_node = $1) AND ($2::text IS NULL OR report = $2)
          AND ($3::timestamptz IS NULL OR (received_at, share_id::text) < ($3, $4))
        ORDER BY received_at DESC, share_id::text DESC LIMIT $5`,
      [query.from ?? null, query.report ?? null, after?.t ?? null, after?.id ?? null, query.limit + 1],
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({
        id: r.share_id,
        node: r.from_node,
        service: r.service,
        report: r.report,
        unit: r.unit,
        dimensions: r.dimensions,
        from: r.from_week,
        to: r.to_week,
        generatedAt: r.generated_at.toISOString(),
        receivedAt: r.received_at.toISOString(),
      })),
      nextCursor: rows.length > query.limit && last ? encodeCursor({ t: last.t, id: last.share_id }, scope) : null,
    };
  }

  async report(id: string): Promise<PublishedReport> {
    const [r]: SharedReportRow[] = await this.dataSource.query(`SELECT * FROM shared_report WHERE share_id = $1`, [id]);
    if (!r) throw ProblemException.notFound('Shared report not found', 'No report with this id was shared with this node; GET /v1/shared-reports lists them.');
    return receivedReport(r.from_node, {
      service: r.service,
      report: r.report,
      unit: r.unit,
      dimensions: r.dimensions,
      fromWeek: r.from_week ?? '',
      toWeek: r.to_week ?? '',
      generatedAt: r.generated_at,
      threshold: SMALL_CELL_THRESHOLD,
      cells: r.cells,
    });
  }
}

/** The id path parameter: a UUID, else 400 with a field error. */
const idParam = new ParseUUIDPipe({ exceptionFactory: () => ProblemException.badRequest('id must be a UUID', { errors: [{ field: 'id', message: 'id must be a UUID', code: 'isUuid' }] }) });

@ApiTags('reports')
@Controller('shared-reports')
class SharedReportsController {
  constructor(private readonly shared: SharedReportsService) {}

  @Get()
  @ApiAuth(REPORTS_SCOPE)
  @ApiOperation({ summary: 'Reports peer nodes shared with this node (aggregates only), newest first' })
  @ApiOkResponse({ type: SharedReportListDto })
  list(@Query() query: SharedReportQueryDto): Promise<SharedReportListDto> {
    return this.shared.list(query);
  }

  @Get(':id')
  @ApiAuth(REPORTS_SCOPE)
  @ApiOperation({ summary: 'A shared report as JSON, the shape of a local report (`node` is the node that shared it); suppressed cells stay null' })
  @ApiOkResponse({ type: PublishedReportDto })
  report(@Param('id', idParam) id: string): Promise<PublishedReport> {
    return this.shared.report(id);
  }

  @Get(':id/csv')
  @ApiAuth(REPORTS_SCOPE)
  @Header('content-type', 'text/csv; charset=utf-8')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'A shared report as CSV (RFC 4180), as a local report' })
  @ApiOkResponse({ description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } })
  async csv(@Param('id', idParam) id: string): Promise<string> {
    return reportCsv(await this.shared.report(id));
  }

  @Get(':id/chart')
  @ApiAuth(REPORTS_SCOPE)
  @ApiOperation({ summary: 'A shared report ready for a chart, as a local report' })
  @ApiOkResponse({ type: ChartDataDto })
  async chart(@Param('id', idParam) id: string): Promise<ChartData> {
    return reportChart(await this.shared.report(id));
  }
}

@Module({})
export class SharedReportsModule {
  /** Mount in a service that receives reports from peers (with sharedReportMigrations). */
  static forRoot(): DynamicModule {
    return {
      module: SharedReportsModule,
      controllers: [SharedReportsController],
      providers: [{ provide: SharedReportsService, inject: [DataSource], useFactory: (ds: DataSource) => new SharedReportsService(ds) }],
      exports: [SharedReportsService],
    };
  }
}
