import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** `GT-2026-000123`: node, year, a sequence of at least six digits (more once a year passes 999,999). */
export const CASE_REFERENCE_PATTERN = /^([A-Z]{2})-(\d{4})-(\d{6,})$/;

/** Case numbers taken from a sequence per round trip by CaseReferences.reserve. */
export const REFERENCE_BLOCK = 16;

export interface CaseReferenceParts {
  node: string;
  year: number;
  sequence: number;
}

/** Formats the human-readable case reference. */
export function formatCaseReference({ node, year, sequence }: CaseReferenceParts): string {
  if (!/^[A-Z]{2}$/.test(node)) throw new RangeError('node must be an ISO 3166-1 alpha-2 code');
  if (!Number.isInteger(year) || year < 2000 || year > 2999) throw new RangeError('year must be between 2000 and 2999');
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError('sequence must be a positive integer');
  return `${node}-${year}-${String(sequence).padStart(6, '0')}`;
}

/** Parses a reference made by formatCaseReference; undefined for anything else. */
export function parseCaseReference(reference: string): CaseReferenceParts | undefined {
  const m = CASE_REFERENCE_PATTERN.exec(reference);
  if (!m) return undefined;
  const year = Number(m[2]);
  const sequence = Number(m[3]);
  if (year < 2000 || year > 2999 || sequence < 1 || !Number.isSafeInteger(sequence)) return undefined;
  if (m[3].length > 6 && m[3].startsWith('0')) return undefined;
  return { node: m[1], year, sequence };
}

/**
 * Per-node-per-year sequences of case numbers: one PostgreSQL SEQUENCE each
 * (`case_reference_gt_2026`), created on first use. A sequence never blocks concurrent
 * registrations (a counter row would serialize them until commit); the price is that a
 * transaction rolled back after taking a number leaves a gap, which references tolerate.
 */
@Injectable()
export class CaseReferences {
  private readonly known = new Set<string>();
  private readonly blocks = new Map<string, { numbers: number[]; refill: Promise<void> | null }>();

  constructor(private readonly dataSource: DataSource) {}

  /** Name of the sequence of `node` and `year`; safe to inline in SQL (validated parts only). */
  static sequenceName(node: string, year: number): string {
    if (!/^[A-Z]{2}$/.test(node) || !Number.isInteger(year) || year < 2000 || year > 2999) throw new RangeError('invalid node or year');
    return `case_reference_${node.toLowerCase()}_${year}`;
  }

  /** Creates the sequence if needed (outside any transaction, so it exists for every later one). */
  async ensure(node: string, at: Date): Promise<string> {
    const name = CaseReferences.sequenceName(node, at.getUTCFullYear());
    if (this.known.has(name)) return name;
    try {
      await this.dataSource.query(`CREATE SEQUENCE IF NOT EXISTS ${name} AS bigint MINVALUE 1 NO CYCLE`);
    } catch (error) {
      // Another instance created it at the same moment (unique violation on the catalog).
      const code = (error as { driverError?: { code?: string } }).driverError?.code;
      if (code !== '23505' && code !== '42P07') throw error;
    }
    this.known.add(name);
    return name;
  }

  /**
   * The next reference of `node` for the year of `at`, known before the case is written (its
   * CaseOpened event carries it). Numbers are taken from the sequence REFERENCE_BLOCK at a time
   * (one round trip per block, not per case); the price: a restart leaves a gap of the unused
   * rest of a block, and with several instances references are not in registration order.
   */
  async reserve(node: string, at: Date): Promise<string> {
    const year = at.getUTCFullYear();
    const name = await this.ensure(node, at);
    let block = this.blocks.get(name);
    if (!block) {
      block = { numbers: [], refill: null };
      this.blocks.set(name, block);
    }
    while (block.numbers.length === 0) {
      const b = block;
      b.refill ??= this.dataSource
        .query(`SELECT nextval('${name}')::text AS n FROM generate_series(1, ${REFERENCE_BLOCK})`)
        .then((rows: { n: string }[]) => {
          b.numbers.push(...rows.map((r) => Number(r.n)).sort((x, y) => x - y));
        })
        .finally(() => {
          b.refill = null;
        });
      await b.refill;
    }
    return formatCaseReference({ node, year, sequence: block.numbers.shift() as number });
  }
}
