// The reports endpoints every service that owns counts mounts the same way: it lists its report
// definitions (SQL over its own tables, aggregates only) and gets
//   GET /v1/reports                       the reports it offers
//   GET /v1/reports/{report}              JSON (suppressed, see suppression.ts)
//   GET /v1/reports/{report}/csv          CSV
//   GET /v1/reports/{report}/chart        chart-ready labels and datasets
// under the `reports:read` scope. Another service (or a later feature) adds its reports by
// adding definitions; nothing else changes.
import { Controller, type DynamicModule, Get, Header, Module, Param, Query, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiAuth } from '@puente/auth';
import { ProblemException, ServiceConfig } from '@puente/platform';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, Matches } from 'class-validator';
import { DataSource } from 'typeorm';
import { type ChartData, publishReport, type PublishedReport, reportChart, reportCsv, SUPPRESSION_RULE_SUMMARY } from './export';
import { SMALL_CELL_THRESHOLD, suppressSmallCells } from './suppression';
import { ISO_WEEK, sqlIsoWeek, weekStart } from './weeks';

export const REPORTS_SCOPE = 'reports:read';

/**
 * One report: a count of distinct persons (or cases) per value of one dimension, optionally per
 * ISO week. The SQL parts are fixed text of the service's code, never caller input.
 */
export interface ReportDefinition {
  /** Path segment, e.g. `registrations-by-site`. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** What is counted, e.g. `persons`. */
  readonly unit: string;
  /** Name of the dimension, e.g. `site`; `week` for the weekly series itself. */
  readonly dimension: string;
  /** FROM clause with joins, e.g. `person p`. */
  readonly from: string;
  /** The timestamptz column that places a row in a week, e.g. `p.registered_at`. */
  readonly time: string;
  /** The value expression of the dimension (text), e.g. `p.site_code`. */
  readonly value: string;
  /** What identifies one counted unit (counted once per cell), e.g. `p.id`. */
  readonly counted: string;
  /** Extra condition, e.g. `p.erased_at IS NULL`. */
  readonly where?: string;
  /**
   * A second dimension crossed with the first (e.g. a score band per center): its name and value
   * expression (text). The table then has a cell per pair, suppressed along both.
   */
  readonly by?: { readonly dimension: string; readonly value: string };
}

export const REPORT_DEFINITIONS = 'puente:REPORT_DEFINITIONS';

const REPORT_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The SQL of a definition: rows of (week, value[, by], n) for the weeks in [$1, $2). */
export function reportSql(def: ReportDefinition): string {
  const week = sqlIsoWeek(def.time);
  const value = def.dimension === 'week' ? week : `coalesce((${def.value})::text, 'unknown')`;
  const by = def.by ? `, coalesce((${def.by.value})::text, 'unknown') AS by` : '';
  return `SELECT ${week} AS week, ${value} AS value${by}, count(DISTINCT ${def.counted})::int AS n
    FROM ${def.from}
   WHERE ($1::timestamptz IS NULL OR ${def.time} >= $1) AND ($2::timestamptz IS NULL OR ${def.time} < $2)${def.where ? ` AND (${def.where})` : ''}
   GROUP BY ${def.by ? '1, 2, 3' : '1, 2'}`;
}

export class ReportQueryDto {
  @ApiPropertyOptional({ description: 'First ISO week counted (inclusive), YYYY-Www', example: '2026-W01', pattern: ISO_WEEK.source })
  @IsOptional()
  @Matches(ISO_WEEK, { message: 'from must be an ISO week such as 2026-W01' })
  from?: string;

  @ApiPropertyOptional({ description: 'Last ISO week counted (inclusive), YYYY-Www', example: '2026-W52', pattern: ISO_WEEK.source })
  @IsOptional()
  @Matches(ISO_WEEK, { message: 'to must be an ISO week such as 2026-W52' })
  to?: string;

  @ApiPropertyOptional({ description: 'Count per ISO week as well (a second dimension `week`): a time series per value', example: false })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  perWeek?: boolean;
}

export class ReportSummaryDto {
  @ApiProperty({ example: 'registrations-by-site' }) id!: string;
  @ApiProperty({ example: 'Registrations by site' }) title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ example: 'persons' }) unit!: string;
  @ApiProperty({ example: 'site' }) dimension!: string;
}

export class ReportListDto {
  @ApiProperty({ type: [ReportSummaryDto] }) items!: ReportSummaryDto[];
  @ApiProperty({ example: SMALL_CELL_THRESHOLD, description: 'Cells counting fewer than this are suppressed' }) threshold!: number;
  @ApiProperty({ example: SUPPRESSION_RULE_SUMMARY }) suppressionRule!: string;
}

export class ReportRowDto {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { site: 'GT-MRC-01' } }) values!: Record<string, string>;
  @ApiProperty({ type: 'integer', nullable: true, minimum: SMALL_CELL_THRESHOLD, example: 12, description: 'null when suppressed' }) count!: number | null;
  @ApiProperty({ example: false }) suppressed!: boolean;
}

export class PublishedReportDto {
  @ApiProperty({ example: 'registrations-by-site' }) report!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ example: 'GT' }) node!: string;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: 'string', nullable: true, example: '2026-W01' }) from!: string | null;
  @ApiProperty({ type: 'string', nullable: true, example: '2026-W52' }) to!: string | null;
  @ApiProperty({ example: 'persons' }) unit!: string;
  @ApiProperty({ type: [String], example: ['site'] }) dimensions!: string[];
  @ApiProperty({ type: [ReportRowDto] }) rows!: ReportRowDto[];
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Sum of the published cells only' }) total!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } },
    description: 'Per dimension and value: the sum of the published cells',
    example: { site: { 'GT-MRC-01': 12 } },
  })
  totals!: Record<string, Record<string, number>>;
  @ApiProperty({ type: 'integer', minimum: 0 }) suppressedCells!: number;
  @ApiProperty() suppressionRule!: string;
}

export class ChartDatasetDto {
  @ApiProperty({ example: 'persons' }) label!: string;
  @ApiProperty({ type: 'array', items: { type: 'integer', nullable: true }, example: [12, null, 7] }) data!: (number | null)[];
}

export class ChartDataDto {
  @ApiProperty() report!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ example: 'site' }) x!: string;
  @ApiProperty({ type: 'string', nullable: true, example: null }) series!: string | null;
  @ApiProperty({ type: [String] }) labels!: string[];
  @ApiProperty({ type: [ChartDatasetDto] }) datasets!: ChartDatasetDto[];
  @ApiProperty() suppressionRule!: string;
}

/** The reports of one service over its own database. */
export class ReportsService {
  private readonly byId: ReadonlyMap<string, ReportDefinition>;

  constructor(
    private readonly definitions: readonly ReportDefinition[],
    private readonly dataSource: DataSource,
    private readonly node: string,
  ) {
    for (const d of definitions) if (!REPORT_ID.test(d.id)) throw new Error(`report id ${JSON.stringify(d.id)} must be lowercase words joined by hyphens`);
    this.byId = new Map(definitions.map((d) => [d.id, d] as const));
    if (this.byId.size !== definitions.length) throw new Error('two reports share an id');
  }

  list(): ReportListDto {
    return {
      items: this.definitions.map(({ id, title, description, unit, dimension }) => ({ id, title, description, unit, dimension })),
      threshold: SMALL_CELL_THRESHOLD,
      suppressionRule: SUPPRESSION_RULE_SUMMARY,
    };
  }

  async report(id: string, query: ReportQueryDto): Promise<PublishedReport> {
    const def = this.byId.get(id);
    if (!def) throw ProblemException.notFound('Report not found', `This service has no report ${JSON.stringify(id)}; GET /v1/reports lists them.`);
    const from = query.from === undefined ? null : weekStart(query.from);
    const toStart = query.to === undefined ? null : weekStart(query.to);
    const invalid = [
      ...(query.from !== undefined && !from ? [{ field: 'from', message: 'from is not a week of its year' }] : []),
      ...(query.to !== undefined && !toStart ? [{ field: 'to', message: 'to is not a week of its year' }] : []),
    ];
    if (invalid.length > 0) throw ProblemException.badRequest('from and to must be weeks of their years', { errors: invalid });
    const to = toStart ? new Date(toStart.getTime() + 7 * 86_400_000) : null;
    if (from && to && from >= to) throw ProblemException.badRequest('from must not be after to', { errors: [{ field: 'from', message: 'from is after to' }] });
    const rows: { week: string; value: string; by?: string; n: number }[] = await this.dataSource.query(reportSql(def), [from, to]);
    const weekly = def.dimension !== 'week' && query.perWeek === true;
    // Per week, the week comes first: the x axis of the chart, one series per value.
    const dimensions = def.dimension === 'week' ? ['week'] : [...(weekly ? ['week'] : []), def.dimension, ...(def.by ? [def.by.dimension] : [])];
    const cells = rows.map((r) => ({ key: def.dimension === 'week' ? [r.week] : [...(weekly ? [r.week] : []), r.value, ...(def.by ? [r.by as string] : [])], count: r.n }));
    return publishReport({ report: def.id, title: def.title, node: this.node, unit: def.unit, from: query.from, to: query.to }, suppressSmallCells(dimensions, cells));
  }
}

/** The controller over `ids` (its path parameter lists them, so Swagger and clients know them). */
function reportsControllerClass(ids: readonly string[]): Type<unknown> {
  const reportParam = ApiParam({ name: 'report', enum: ids.length > 0 ? [...ids] : ['none'], description: 'A report this service offers (GET /v1/reports)' });

  @ApiTags('reports')
  @ApiExtraModels(PublishedReportDto)
  @Controller('reports')
  class ReportsController {
    constructor(private readonly reports: ReportsService) {}

    @Get()
    @ApiAuth(REPORTS_SCOPE)
    @ApiOperation({ summary: 'The aggregate reports this service offers, and the small-cell suppression rule they follow' })
    @ApiOkResponse({ type: ReportListDto })
    list(): ReportListDto {
      return this.reports.list();
    }

    @Get(':report')
    @ApiAuth(REPORTS_SCOPE)
    @reportParam
    @ApiOperation({ summary: 'A report as JSON: counts per value (and per week with perWeek=true), small cells suppressed, no personal data' })
    @ApiOkResponse({ type: PublishedReportDto })
    report(@Param('report') id: string, @Query() query: ReportQueryDto): Promise<PublishedReport> {
      return this.reports.report(id, query);
    }

    @Get(':report/csv')
    @ApiAuth(REPORTS_SCOPE)
    @reportParam
    @Header('content-type', 'text/csv; charset=utf-8')
    @ApiProduces('text/csv')
    @ApiOperation({ summary: 'A report as CSV (RFC 4180): one line per cell, a suppressed count left empty, a total line of the published cells' })
    @ApiOkResponse({ description: 'CSV', content: { 'text/csv': { schema: { type: 'string', example: 'site,persons,suppressed\r\nGT-MRC-01,12,false\r\ntotal,12,false\r\n' } } } })
    async csv(@Param('report') id: string, @Query() query: ReportQueryDto): Promise<string> {
      return reportCsv(await this.reports.report(id, query));
    }

    @Get(':report/chart')
    @ApiAuth(REPORTS_SCOPE)
    @reportParam
    @ApiOperation({ summary: 'A report ready for a chart: labels (x axis) and one dataset per series; suppressed cells are null (gaps)' })
    @ApiOkResponse({ type: ChartDataDto })
    async chart(@Param('report') id: string, @Query() query: ReportQueryDto): Promise<ChartData> {
      return reportChart(await this.reports.report(id, query));
    }
  }
  return ReportsController;
}

@Module({})
export class ReportsModule {
  /** Mount in a service's app module with the definitions over its own tables. */
  static forRoot(definitions: readonly ReportDefinition[]): DynamicModule {
    return {
      module: ReportsModule,
      controllers: [reportsControllerClass(definitions.map((d) => d.id))],
      providers: [
        { provide: REPORT_DEFINITIONS, useValue: definitions },
        {
          provide: ReportsService,
          inject: [REPORT_DEFINITIONS, DataSource, ServiceConfig],
          useFactory: (defs: ReportDefinition[], ds: DataSource, config: ServiceConfig) => new ReportsService(defs, ds, config.PUENTE_NODE),
        },
      ],
      exports: [ReportsService],
    };
  }
}
