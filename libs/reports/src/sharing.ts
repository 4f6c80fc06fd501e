// Reports shared between nodes (aggregates only): what leaves a node and what a peer accepts.
// Pure functions; the sealing and the exchange topic are libs/federation's (kind `report-share`).
//
// A shared report is built from a PUBLISHED report (suppressSmallCells already ran), and checked
// again here before anything is sealed: every published count at least the threshold, every
// value a code. A suppressed cell travels with count 0: its count never leaves the node. The
// receiver runs the same checks on what arrives (a peer that breaks the rule is refused), and
// recomputes the totals from the published cells.
import { type PublishedReport, SUPPRESSION_RULE_SUMMARY } from './export';
import { SMALL_CELL_THRESHOLD } from './suppression';
import { ISO_WEEK } from './weeks';

/**
 * A value a shared report may carry: a code (site, age band, sex, nationality, flag, pathway,
 * week, outcome...), never free text. Letters, digits and `_ . : -`, at most 64.
 */
export const SHARED_CODE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const REPORT_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const NAME = /^[a-z][A-Za-z0-9]{0,31}$/;

/** What crosses the border (the fields of puente.federation.v1.SharedReport). */
export interface SharedReportContent {
  readonly service: string;
  readonly report: string;
  readonly unit: string;
  readonly dimensions: readonly string[];
  /** ISO weeks, '' when unbounded. */
  readonly fromWeek: string;
  readonly toWeek: string;
  readonly generatedAt: Date;
  readonly threshold: number;
  readonly cells: readonly { readonly values: readonly string[]; readonly count: number; readonly suppressed: boolean }[];
}

/** A report that may not be shared (or was received broken): every problem found, no values. */
export class UnshareableReportError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`report not shareable: ${problems.join('; ')}`);
    this.name = 'UnshareableReportError';
  }
}

/** Problems of a report's content as it would cross (or did): empty when it may. */
export function shareProblems(content: SharedReportContent): string[] {
  const problems: string[] = [];
  if (!SHARED_CODE.test(content.service)) problems.push('service is not a code');
  if (!REPORT_ID.test(content.report)) problems.push('report is not a report id');
  if (!NAME.test(content.unit)) problems.push('unit is not a name');
  if (content.dimensions.length === 0 || content.dimensions.length > 3 || content.dimensions.some((d) => !NAME.test(d))) problems.push('dimensions must be 1 to 3 names');
  if (new Set(content.dimensions).size !== content.dimensions.length) problems.push('a dimension is named twice');
  for (const [field, week] of [
    ['fromWeek', content.fromWeek],
    ['toWeek', content.toWeek],
  ] as const) {
    if (week !== '' && !ISO_WEEK.test(week)) problems.push(`${field} is not an ISO week`);
  }
  if (Number.isNaN(content.generatedAt.getTime())) problems.push('generatedAt is not a time');
  if (content.threshold !== SMALL_CELL_THRESHOLD) problems.push(`threshold must be ${SMALL_CELL_THRESHOLD}`);
  const keys = new Set<string>();
  content.cells.forEach((cell, i) => {
    if (cell.values.length !== content.dimensions.length) problems.push(`cell ${i} has ${cell.values.length} values for ${content.dimensions.length} dimensions`);
    if (cell.values.some((v) => !SHARED_CODE.test(v))) problems.push(`cell ${i} holds a value that is not a code`);
    if (!Number.isSafeInteger(cell.count) || cell.count < 0) problems.push(`cell ${i} count is not a whole number`);
    // The rule itself: a suppressed cell carries no count, a published one at least the threshold.
    else if (cell.suppressed ? cell.count !== 0 : cell.count < SMALL_CELL_THRESHOLD) problems.push(`cell ${i} breaks the small-cell rule`);
    const key = cell.values.join('\u0000');
    if (keys.has(key)) problems.push(`cell ${i} repeats another cell`);
    keys.add(key);
  });
  return problems;
}

/**
 * The content to share from a published report of `service` (small cells already suppressed):
 * throws UnshareableReportError, sharing nothing, when any cell would carry a count under the
 * threshold or a value that is not a code.
 */
export function shareableReport(service: string, report: PublishedReport): SharedReportContent {
  const content: SharedReportContent = {
    service,
    report: report.report,
    unit: report.unit,
    dimensions: [...report.dimensions],
    fromWeek: report.from ?? '',
    toWeek: report.to ?? '',
    generatedAt: new Date(report.generatedAt),
    threshold: SMALL_CELL_THRESHOLD,
    cells: report.rows.map((row) => ({
      values: report.dimensions.map((d) => row.values[d] ?? ''),
      count: row.suppressed || row.count === null ? 0 : row.count,
      suppressed: row.suppressed || row.count === null,
    })),
  };
  const problems = shareProblems(content);
  if (problems.length > 0) throw new UnshareableReportError(problems);
  return content;
}

/**
 * A received report as the peer serves it (the same shape as a local report, `node` the sender):
 * checked first (UnshareableReportError when the sender broke the rule), totals recomputed
 * from the published cells.
 */
export function receivedReport(fromNode: string, content: SharedReportContent): PublishedReport {
  const problems = shareProblems(content);
  if (problems.length > 0) throw new UnshareableReportError(problems);
  const rows = content.cells.map((c) => ({ values: Object.fromEntries(content.dimensions.map((d, i) => [d, c.values[i]])), count: c.suppressed ? null : c.count, suppressed: c.suppressed }));
  const totals: Record<string, Record<string, number>> = {};
  content.dimensions.forEach((d) => {
    const byValue: Record<string, number> = {};
    for (const row of rows) byValue[row.values[d]] = (byValue[row.values[d]] ?? 0) + (row.count ?? 0);
    totals[d] = byValue;
  });
  return {
    report: content.report,
    title: `${content.report} (${fromNode}, ${content.service})`,
    node: fromNode,
    generatedAt: content.generatedAt.toISOString(),
    from: content.fromWeek || null,
    to: content.toWeek || null,
    unit: content.unit,
    dimensions: [...content.dimensions],
    rows,
    total: rows.reduce((sum, r) => sum + (r.count ?? 0), 0),
    totals,
    suppressedCells: rows.filter((r) => r.suppressed).length,
    suppressionRule: SUPPRESSION_RULE_SUMMARY,
  };
}
