export { SMALL_CELL_THRESHOLD, mergeCells, suppressSmallCells, type CountCell, type PublishedCell, type SuppressedTable } from './suppression';
export { csvField, publishReport, reportChart, reportCsv, SUPPRESSION_RULE_SUMMARY, type ChartData, type PublishedReport, type ReportRow } from './export';
export { ISO_WEEK, isoWeekOf, sqlIsoWeek, weekStart } from './weeks';
export {
  ChartDataDto,
  PublishedReportDto,
  REPORT_DEFINITIONS,
  REPORTS_SCOPE,
  ReportListDto,
  ReportQueryDto,
  reportSql,
  ReportsModule,
  ReportsService,
  type ReportDefinition,
} from './reports.module';
export { SHARED_CODE, receivedReport, shareableReport, shareProblems, UnshareableReportError, type SharedReportContent } from './sharing';
export { CreateSharedReports1767052800500, sharedReportMigrations } from './shared-reports.migration';
export {
  SharedReportListDto,
  SharedReportQueryDto,
  SharedReportsModule,
  SharedReportsService,
  SharedReportSummaryDto,
  storeSharedReport,
  type SqlRunner,
} from './shared-reports.module';
// For tests of the services that mount ReportsModule.
export { expectReportsServed } from './testing/describe-reports';
