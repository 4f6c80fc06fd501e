import fc from 'fast-check';
import { csvField, publishReport, reportChart, reportCsv } from './export';
import { type CountCell, SMALL_CELL_THRESHOLD, suppressSmallCells } from './suppression';
import { isoWeekOf, weekStart } from './weeks';

const T = SMALL_CELL_THRESHOLD;

/** Tables of 1 to 3 dimensions over small value sets, counts skewed towards small ones. */
const tables = fc.integer({ min: 1, max: 3 }).chain((dims) =>
  fc.record({
    dimensions: fc.constant(['a', 'b', 'c'].slice(0, dims)),
    cells: fc.array(
      fc.record({
        key: fc.tuple(...Array.from({ length: dims }, () => fc.constantFrom('v1', 'v2', 'v3', 'v4'))),
        count: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 200 })),
      }),
      { maxLength: 40 },
    ),
  }),
);

function linesOf(cells: readonly { key: readonly string[] }[], dims: number): number[][] {
  const lines = new Map<string, number[]>();
  cells.forEach((c, i) => {
    for (let d = 0; d < dims; d++) {
      const id = `${d}|${c.key.filter((_, j) => j !== d).join('|')}`;
      lines.set(id, [...(lines.get(id) ?? []), i]);
    }
  });
  return [...lines.values()];
}

function trueCounts(cells: readonly CountCell[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of cells) m.set(c.key.join('|'), (m.get(c.key.join('|')) ?? 0) + c.count);
  return m;
}

describe('small-cell suppression', () => {
  it('a cell of 1 to 4 persons never appears, not even as a total', () => {
    fc.assert(
      fc.property(tables, ({ dimensions, cells }) => {
        const t = suppressSmallCells(dimensions, cells);
        for (const c of t.cells) if (c.count !== null) expect(c.count).toBeGreaterThanOrEqual(T);
        for (const c of t.cells) expect(c.suppressed).toBe(c.count === null);
        // Cells of 4 in particular.
        const fours = [...trueCounts(cells)].filter(([, n]) => n === 4).map(([k]) => k);
        for (const c of t.cells) if (fours.includes(c.key.join('|'))) expect(c.count).toBeNull();
      }),
      { numRuns: 1000 },
    );
  });

  it('published counts are the true counts, and every total is the sum of the published cells', () => {
    fc.assert(
      fc.property(tables, ({ dimensions, cells }) => {
        const t = suppressSmallCells(dimensions, cells);
        const truth = trueCounts(cells);
        for (const c of t.cells) if (c.count !== null) expect(c.count).toBe(truth.get(c.key.join('|')));
        expect(t.total).toBe(t.cells.reduce((s, c) => s + (c.count ?? 0), 0));
        dimensions.forEach((d, i) => {
          const sums: Record<string, number> = {};
          for (const c of t.cells) sums[c.key[i]] = (sums[c.key[i]] ?? 0) + (c.count ?? 0);
          expect(t.totals[d]).toEqual(sums);
          expect(Object.values(t.totals[d]).reduce((s, n) => s + n, 0)).toBe(t.total);
        });
        expect(t.suppressedCells).toBe(t.cells.filter((c) => c.suppressed).length);
      }),
      { numRuns: 1000 },
    );
  });

  it('in every line, suppressed cells are none, or at least two counting at least 5, or all of the line (so subtraction never isolates one)', () => {
    fc.assert(
      fc.property(tables, ({ dimensions, cells }) => {
        const t = suppressSmallCells(dimensions, cells);
        const truth = trueCounts(cells);
        for (const line of linesOf(t.cells, dimensions.length)) {
          const hidden = line.filter((i) => t.cells[i].suppressed);
          const hiddenSum = hidden.reduce((s, i) => s + truth.get(t.cells[i].key.join('|'))!, 0);
          const ok = hidden.length === 0 || (hidden.length >= 2 && hiddenSum >= T) || hidden.length === line.length;
          expect(ok).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('the total of another report over the same persons minus this one never gives one suppressed cell', () => {
    // One dimension: the other report's total is the true total N; N minus this report's total
    // is the sum of the suppressed cells, which is 0 or counts at least two cells and 5 persons.
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 12 }), (counts) => {
        const t = suppressSmallCells(['site'], counts.map((count, i) => ({ key: [`s${i}`], count })));
        const n = counts.reduce((s, c) => s + c, 0);
        const gap = n - t.total;
        const hidden = t.cells.filter((c) => c.suppressed).length;
        expect(gap === 0 || (hidden >= 2 && gap >= T) || hidden === t.cells.length).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('a report of one site of 4 among larger ones hides that site and the next smallest', () => {
    const t = suppressSmallCells(['site'], [
      { key: ['GT-MRC-01'], count: 40 },
      { key: ['GT-MRC-02'], count: 4 },
      { key: ['GT-MRC-03'], count: 9 },
    ]);
    expect(t.cells.map((c) => [c.key[0], c.count])).toEqual([
      ['GT-MRC-01', 40],
      ['GT-MRC-02', null],
      ['GT-MRC-03', null],
    ]);
    expect(t.total).toBe(40);
  });

  it('refuses malformed cells (a bug in a report query), and merges duplicates', () => {
    expect(() => suppressSmallCells(['a'], [{ key: ['x', 'y'], count: 1 }])).toThrow(RangeError);
    expect(() => suppressSmallCells(['a'], [{ key: ['x'], count: -1 }])).toThrow(RangeError);
    expect(suppressSmallCells(['a'], [{ key: ['x'], count: 3 }, { key: ['x'], count: 3 }]).cells).toEqual([{ key: ['x'], count: 6, suppressed: false }]);
  });
});

describe('exports', () => {
  const report = publishReport(
    { report: 'registrations-by-site', title: 'Registrations by site', node: 'GT', unit: 'persons', now: new Date('2026-03-01T00:00:00Z') },
    suppressSmallCells(['site', 'week'], [
      { key: ['GT-MRC-01', '2026-W01'], count: 12 },
      { key: ['GT-MRC-01', '2026-W02'], count: 3 },
      { key: ['=HYPERLINK("x")', '2026-W01'], count: 30 },
      { key: ['=HYPERLINK("x")', '2026-W02'], count: 8 },
      { key: ['GT-MRC-01', '2026-W03'], count: 20 },
      { key: ['=HYPERLINK("x")', '2026-W03'], count: 25 },
    ]),
  );

  it('CSV: one line per cell, suppressed counts empty, a total line equal to the sum of the published lines, formulas inert', () => {
    const csv = reportCsv(report);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('site,week,persons,suppressed');
    expect(lines).toContain('GT-MRC-01,2026-W02,,true');
    expect(lines.filter((l) => l.startsWith(`"'=HYPERLINK(""x"")",2026-W0`))).toHaveLength(3);
    expect(lines.slice(1, -1)).toEqual(report.rows.map((r) => `${csvField(r.values.site)},${r.values.week},${r.count ?? ''},${r.suppressed}`));
    const published = lines.slice(1, -1).map((l) => l.split(',').at(-2)).filter((n) => n !== '').map(Number);
    expect(lines.at(-1)).toBe(`total,,${published.reduce((s, n) => s + n, 0)},false`);
    expect(csv).not.toMatch(/(^|,)[1-4],false/m);
  });

  it('CSV fields: quotes, commas and line breaks survive, formula starters do not run', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const field = csvField(s);
        const unquoted = field.startsWith('"') ? field.slice(1, -1).replace(/""/g, '"') : field;
        expect(/^[=+\-@\t\r]/.test(unquoted)).toBe(false);
        expect(unquoted.replace(/^'(?=[=+\-@\t\r])/, '')).toBe(s);
      }),
    );
  });

  it('chart: labels on x, one dataset per series, suppressed cells as null', () => {
    const chart = reportChart(report);
    expect(chart.labels).toEqual(['=HYPERLINK("x")', 'GT-MRC-01']);
    expect(chart.datasets.map((d) => d.label)).toEqual(['2026-W01', '2026-W02', '2026-W03']);
    const w2 = chart.datasets.find((d) => d.label === '2026-W02')!;
    expect(w2.data).toEqual([null, null]);
    const bySite = reportChart(
      publishReport({ report: 'r', title: 'r', node: 'GT', unit: 'persons' }, suppressSmallCells(['site'], [{ key: ['A'], count: 40 }, { key: ['B'], count: 4 }, { key: ['C'], count: 9 }, { key: ['D'], count: 12 }])),
    );
    expect(bySite).toMatchObject({ x: 'site', series: null, labels: ['A', 'B', 'C', 'D'], datasets: [{ label: 'persons', data: [40, null, null, 12] }] });
  });

  it('chart of three dimensions: one dataset per pair of the last two, each cell in exactly one place', () => {
    const cells = [
      { key: ['2026-W01', 'high', 'GT-CRM-01'], count: 20 },
      { key: ['2026-W01', 'low', 'GT-CRM-01'], count: 9 },
      { key: ['2026-W02', 'high', 'GT-CRM-01'], count: 11 },
      { key: ['2026-W02', 'high', 'GT-CRM-02'], count: 3 },
      { key: ['2026-W02', 'low', 'GT-CRM-02'], count: 30 },
    ];
    const published = publishReport({ report: 'r', title: 'r', node: 'GT', unit: 'follow-ups' }, suppressSmallCells(['week', 'band', 'center'], cells));
    const chart = reportChart(published);
    expect(chart).toMatchObject({ x: 'week', series: 'band · center', labels: ['2026-W01', '2026-W02'] });
    expect(chart.datasets.map((d) => d.label)).toEqual(['high · GT-CRM-01', 'high · GT-CRM-02', 'low · GT-CRM-01', 'low · GT-CRM-02']);
    // Every published row appears once, at its week and series; nothing else carries a count.
    const shown = chart.datasets.flatMap((d) => d.data.map((n, i) => ({ key: `${chart.labels[i]} · ${d.label}`, n })));
    for (const row of published.rows) expect(shown.filter((c) => c.key === `${row.values.week} · ${row.values.band} · ${row.values.center}`).map((c) => c.n)).toEqual([row.count]);
    expect(shown.filter((c) => c.n !== 0 && c.n !== null).length).toBe(published.rows.filter((r) => r.count !== null).length);
    expect(shown.map((c) => c.n)).not.toContain(3);
  });
});

describe('ISO weeks', () => {
  it('the week of a date starts on or before it, within 7 days', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (date) => {
        const start = weekStart(isoWeekOf(date))!;
        expect(start.getUTCDay()).toBe(1);
        expect(date.getTime() - start.getTime()).toBeGreaterThanOrEqual(0);
        expect(date.getTime() - start.getTime()).toBeLessThan(7 * 86_400_000);
      }),
    );
  });

  it('knows 53-week years', () => {
    expect(weekStart('2026-W53')).not.toBeNull();
    expect(weekStart('2025-W53')).toBeNull();
    expect(isoWeekOf(new Date('2027-01-01T12:00:00Z'))).toBe('2026-W53');
  });
});
