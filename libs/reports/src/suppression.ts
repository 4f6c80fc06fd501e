/**
 * Small-cell suppression of count tables (aggregate reports for planning). Pure functions.
 *
 * THE RULE (docs/reports.md says the same):
 * 1. Primary: a cell counting 1 to 4 persons (fewer than SMALL_CELL_THRESHOLD) is suppressed:
 *    published without its count. Cells of 0 are not listed (absent means none).
 * 2. Secondary: in every line of the table (the whole table for one dimension; each row and each
 *    column for two; each line along each dimension for more), if the suppressed cells are fewer
 *    than two or together count fewer than the threshold, the smallest published cell of the line
 *    is suppressed too, until the line's suppressed cells are at least two counting at least the
 *    threshold together, or nothing of the line is left published. Repeated over every line until
 *    no line changes.
 * 3. Totals (of the table and of each dimension value) are sums of PUBLISHED cells only.
 * So no total includes a suppressed count, and what a reader can get by subtracting totals of two
 * reports of the same persons is the sum of at least two suppressed cells counting at least the
 * threshold: never one cell, never a small number.
 */
export const SMALL_CELL_THRESHOLD = 5;

export interface CountCell {
  /** One value per dimension, in the table's dimension order. */
  readonly key: readonly string[];
  /** Persons counted (each person at most once per cell). */
  readonly count: number;
}

export interface PublishedCell {
  readonly key: readonly string[];
  /** The count, or null when suppressed. */
  readonly count: number | null;
  readonly suppressed: boolean;
}

export interface SuppressedTable {
  readonly dimensions: readonly string[];
  /** Cells sorted by key. */
  readonly cells: readonly PublishedCell[];
  /** Sum of the published cells. */
  readonly total: number;
  /** Per dimension, per value: the sum of the published cells with that value. */
  readonly totals: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly suppressedCells: number;
  readonly threshold: number;
}

const SEPARATOR = '\u0000';

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

/** Cells with the same key summed, zero cells dropped; refuses malformed input (a bug upstream). */
export function mergeCells(dimensions: readonly string[], cells: readonly CountCell[]): CountCell[] {
  const merged = new Map<string, { key: readonly string[]; count: number }>();
  for (const cell of cells) {
    if (cell.key.length !== dimensions.length) throw new RangeError(`a cell has ${cell.key.length} key values for ${dimensions.length} dimensions`);
    if (!Number.isSafeInteger(cell.count) || cell.count < 0) throw new RangeError(`a count must be a non-negative integer, got ${cell.count}`);
    const id = cell.key.join(SEPARATOR);
    const existing = merged.get(id);
    if (existing) existing.count += cell.count;
    else merged.set(id, { key: [...cell.key], count: cell.count });
  }
  return [...merged.values()].filter((c) => c.count > 0).sort((a, b) => compareKeys(a.key, b.key));
}

/** The lines of a table: for each dimension, the cells that agree on every other dimension. */
function linesOf(cells: readonly CountCell[], dimensions: number): number[][] {
  const lines: number[][] = [];
  for (let d = 0; d < dimensions; d++) {
    const byRest = new Map<string, number[]>();
    cells.forEach((cell, i) => {
      const rest = cell.key.filter((_, j) => j !== d).join(SEPARATOR);
      const line = byRest.get(rest);
      if (line) line.push(i);
      else byRest.set(rest, [i]);
    });
    lines.push(...byRest.values());
  }
  return lines;
}

export function suppressSmallCells(dimensions: readonly string[], input: readonly CountCell[], threshold: number = SMALL_CELL_THRESHOLD): SuppressedTable {
  if (!Number.isSafeInteger(threshold) || threshold < 1) throw new RangeError('threshold must be a positive integer');
  const cells = mergeCells(dimensions, input);
  const suppressed = cells.map((c) => c.count < threshold);
  const lines = linesOf(cells, dimensions.length);
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      for (;;) {
        const hidden = line.filter((i) => suppressed[i]);
        if (hidden.length === 0) break;
        const hiddenSum = hidden.reduce((sum, i) => sum + cells[i].count, 0);
        if (hidden.length >= 2 && hiddenSum >= threshold) break;
        const shown = line.filter((i) => !suppressed[i]);
        if (shown.length === 0) break;
        // The smallest published cell (first by key among equals): the least information lost.
        const next = shown.reduce((best, i) => (cells[i].count < cells[best].count ? i : best), shown[0]);
        suppressed[next] = true;
        changed = true;
      }
    }
  }
  const published: PublishedCell[] = cells.map((c, i) => ({ key: c.key, count: suppressed[i] ? null : c.count, suppressed: suppressed[i] }));
  const totals: Record<string, Record<string, number>> = {};
  dimensions.forEach((dimension, d) => {
    const byValue: Record<string, number> = {};
    for (const cell of published) byValue[cell.key[d]] = (byValue[cell.key[d]] ?? 0) + (cell.count ?? 0);
    totals[dimension] = byValue;
  });
  return {
    dimensions: [...dimensions],
    cells: published,
    total: published.reduce((sum, c) => sum + (c.count ?? 0), 0),
    totals,
    suppressedCells: published.filter((c) => c.suppressed).length,
    threshold,
  };
}
