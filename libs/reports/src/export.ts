import type { SuppressedTable } from './suppression';

/** A published report: what every service's reports endpoint answers as JSON. */
export interface PublishedReport {
  readonly report: string;
  readonly title: string;
  readonly node: string;
  readonly generatedAt: string;
  /** Inclusive ISO weeks (YYYY-Www) the counts cover, when the caller bounded them. */
  readonly from: string | null;
  readonly to: string | null;
  readonly unit: string;
  readonly dimensions: readonly string[];
  readonly rows: readonly ReportRow[];
  readonly total: number;
  readonly totals: SuppressedTable['totals'];
  readonly suppressedCells: number;
  readonly suppressionRule: string;
}

export interface ReportRow {
  readonly values: Readonly<Record<string, string>>;
  readonly count: number | null;
  readonly suppressed: boolean;
}

export const SUPPRESSION_RULE_SUMMARY =
  'Cells of 1 to 4 persons are suppressed (count null); in every line of the table further smallest cells are suppressed until the suppressed cells of the line are at least two counting at least 5 together; totals are sums of published cells only, so no suppressed count can be recovered by subtraction.';

export function publishReport(
  meta: { report: string; title: string; node: string; unit: string; from?: string | null; to?: string | null; now?: Date },
  table: SuppressedTable,
): PublishedReport {
  return {
    report: meta.report,
    title: meta.title,
    node: meta.node,
    generatedAt: (meta.now ?? new Date()).toISOString(),
    from: meta.from ?? null,
    to: meta.to ?? null,
    unit: meta.unit,
    dimensions: table.dimensions,
    rows: table.cells.map((c) => ({ values: Object.fromEntries(table.dimensions.map((d, i) => [d, c.key[i]])), count: c.count, suppressed: c.suppressed })),
    total: table.total,
    totals: table.totals,
    suppressedCells: table.suppressedCells,
    suppressionRule: SUPPRESSION_RULE_SUMMARY,
  };
}

/** One CSV field (RFC 4180), with text a spreadsheet would run as a formula made inert. */
export function csvField(value: string): string {
  const inert = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(inert) ? `"${inert.replace(/"/g, '""')}"` : inert;
}

/**
 * The report as CSV: one line per cell (its dimension values, `persons`, `suppressed`), a
 * suppressed cell's count left empty, then a `total` line whose count is the published total.
 */
export function reportCsv(report: PublishedReport): string {
  const header = [...report.dimensions, 'persons', 'suppressed'];
  const lines = [header.map(csvField).join(',')];
  for (const row of report.rows) {
    lines.push([...report.dimensions.map((d) => csvField(row.values[d])), row.count === null ? '' : String(row.count), String(row.suppressed)].join(','));
  }
  lines.push([...report.dimensions.map((_, i) => (i === 0 ? 'total' : '')), String(report.total), 'false'].join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Chart-ready data: categories on the x axis and one series per value of the second dimension. */
export interface ChartData {
  readonly report: string;
  readonly title: string;
  readonly x: string;
  readonly series: string | null;
  readonly labels: readonly string[];
  readonly datasets: readonly { readonly label: string; readonly data: readonly (number | null)[] }[];
  readonly suppressionRule: string;
}

/**
 * The first dimension as labels (x axis), the others (if any) as one dataset per combination of
 * their values (joined by " · "); a suppressed or absent cell is null (a gap in the chart), never
 * a guessed number. The shape Chart.js and most chart libraries take as is.
 */
export function reportChart(report: PublishedReport): ChartData {
  const [x, ...rest] = report.dimensions;
  const seriesOf = (r: ReportRow) => rest.map((d) => r.values[d]).join(' · ');
  const series = rest.length > 0 ? rest.join(' · ') : undefined;
  const labels = [...new Set(report.rows.map((r) => r.values[x]))].sort();
  const seriesValues = series ? [...new Set(report.rows.map(seriesOf))].sort() : [report.unit];
  const datasets = seriesValues.map((s) => ({
    label: s,
    data: labels.map((label) => {
      const row = report.rows.find((r) => r.values[x] === label && (!series || seriesOf(r) === s));
      // Absent means nobody; suppressed stays null.
      return row ? row.count : 0;
    }),
  }));
  return { report: report.report, title: report.title, x, series: series ?? null, labels, datasets, suppressionRule: report.suppressionRule };
}
