import fc from 'fast-check';
import { publishReport, type PublishedReport } from './export';
import { receivedReport, shareableReport, shareProblems, type SharedReportContent, UnshareableReportError } from './sharing';
import { SMALL_CELL_THRESHOLD, suppressSmallCells } from './suppression';

const T = SMALL_CELL_THRESHOLD;
const CODES = ['HN-CAMR-SAP', 'GT-MRC-01', 'aged_18_to_59', 'female', 'fear_of_return', '2026-W07', 'HN', 'unknown'];

/** Tables of 1 to 3 dimensions over codes, counts skewed towards small ones. */
const tables = fc.integer({ min: 1, max: 3 }).chain((dims) =>
  fc.record({
    dimensions: fc.constant(['site', 'sex', 'week'].slice(0, dims)),
    cells: fc.array(
      fc.record({
        key: fc.tuple(...Array.from({ length: dims }, () => fc.constantFrom(...CODES))),
        count: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 300 })),
      }),
      { maxLength: 40 },
    ),
  }),
);

const published = (dimensions: string[], cells: { key: string[]; count: number }[]): PublishedReport =>
  publishReport({ report: 'registrations-by-site', title: 'Registrations by site', node: 'GT', unit: 'persons', from: '2026-W01', to: '2026-W52' }, suppressSmallCells(dimensions, cells));

describe('reports shared between nodes: what leaves the node', () => {
  it('a cell of 1 to 4 persons never leaves the node: it travels suppressed, without its count (property)', () => {
    fc.assert(
      fc.property(tables, ({ dimensions, cells }) => {
        const shared = shareableReport('intake', published(dimensions, cells));
        const truth = new Map<string, number>();
        for (const c of cells) truth.set(c.key.join('|'), (truth.get(c.key.join('|')) ?? 0) + c.count);
        for (const cell of shared.cells) {
          const real = truth.get(cell.values.join('|')) ?? 0;
          // What crosses is either nothing (suppressed, 0) or a count of at least the threshold, and never a wrong one.
          if (cell.suppressed) expect(cell.count).toBe(0);
          else expect([cell.count, cell.count >= T]).toEqual([real, true]);
          if (real < T) expect(cell.suppressed).toBe(true);
        }
        // Every cell of the table is there (nothing dropped, nothing added).
        expect(shared.cells.length).toBe([...truth.values()].filter((n) => n > 0).length);
      }),
      { numRuns: 500 },
    );
  });

  it('what the peer serves is what the sender published: the same cells, totals of the published cells only (property)', () => {
    fc.assert(
      fc.property(tables, ({ dimensions, cells }) => {
        const local = published(dimensions, cells);
        const remote = receivedReport('GT', shareableReport('intake', local));
        expect(remote.rows).toEqual(local.rows);
        expect(remote.total).toBe(local.total);
        expect(remote.totals).toEqual(local.totals);
        expect(remote.suppressedCells).toBe(local.suppressedCells);
        expect(remote.node).toBe('GT');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to share a report whose small cell was not suppressed, or that holds free text', () => {
    const good = published(['site'], [
      { key: ['HN-CAMR-SAP'], count: 40 },
      { key: ['GT-MRC-01'], count: 12 },
    ]);
    expect(() => shareableReport('intake', good)).not.toThrow();
    const unsuppressed: PublishedReport = { ...good, rows: [...good.rows, { values: { site: 'SV-CRM-01' }, count: 4, suppressed: false }] };
    expect(() => shareableReport('intake', unsuppressed)).toThrow(UnshareableReportError);
    const named: PublishedReport = { ...good, rows: [{ values: { site: 'María José Ramírez' }, count: 7, suppressed: false }] };
    expect(() => shareableReport('intake', named)).toThrow(/not a code/);
    const extraDimension: PublishedReport = { ...good, dimensions: ['site', 'given names'] };
    expect(() => shareableReport('intake', extraDimension)).toThrow(UnshareableReportError);
  });

  it('the receiver refuses what breaks the rule: a count under 5, a count on a suppressed cell, a repeated cell, another threshold', () => {
    const base: SharedReportContent = {
      service: 'intake',
      report: 'registrations-by-sex',
      unit: 'persons',
      dimensions: ['sex'],
      fromWeek: '',
      toWeek: '',
      generatedAt: new Date('2026-12-01T00:00:00Z'),
      threshold: T,
      cells: [
        { values: ['female'], count: 9, suppressed: false },
        { values: ['male'], count: 0, suppressed: true },
      ],
    };
    expect(shareProblems(base)).toEqual([]);
    const broken: [string, SharedReportContent][] = [
      ['small', { ...base, cells: [{ values: ['female'], count: 3, suppressed: false }] }],
      ['count on suppressed', { ...base, cells: [{ values: ['female'], count: 3, suppressed: true }] }],
      ['repeated', { ...base, cells: [base.cells[0], base.cells[0]] }],
      ['threshold', { ...base, threshold: 2 }],
      ['week', { ...base, fromWeek: 'last week' }],
      ['values', { ...base, cells: [{ values: ['female', 'HN'], count: 9, suppressed: false }] }],
    ];
    for (const [what, content] of broken) {
      expect([what, shareProblems(content).length > 0]).toEqual([what, true]);
      expect(() => receivedReport('GT', content)).toThrow(UnshareableReportError);
    }
  });
});
