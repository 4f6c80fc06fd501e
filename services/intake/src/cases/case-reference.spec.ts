import fc from 'fast-check';
import { formatCaseReference, parseCaseReference } from './case-reference';

describe('case references', () => {
  it('formats node, year and a six-digit zero-padded sequence', () => {
    expect(formatCaseReference({ node: 'GT', year: 2026, sequence: 123 })).toBe('GT-2026-000123');
    expect(formatCaseReference({ node: 'HN', year: 2026, sequence: 1_234_567 })).toBe('HN-2026-1234567');
  });

  it('round-trips any valid reference (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GT', 'HN', 'SV', 'MX', 'US', 'CR'),
        fc.integer({ min: 2000, max: 2999 }),
        fc.integer({ min: 1, max: 50_000_000 }),
        (node, year, sequence) => {
          const reference = formatCaseReference({ node, year, sequence });
          expect(parseCaseReference(reference)).toEqual({ node, year, sequence });
        },
      ),
    );
  });

  it('orders references of one node and year by their sequence while it has six digits (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_998 }), fc.integer({ min: 1, max: 999_998 }), (a, b) => {
        const ra = formatCaseReference({ node: 'GT', year: 2026, sequence: a });
        const rb = formatCaseReference({ node: 'GT', year: 2026, sequence: b });
        expect(Math.sign(ra.localeCompare(rb))).toBe(Math.sign(a - b));
      }),
    );
  });

  it('refuses what it cannot format and what it did not format', () => {
    expect(() => formatCaseReference({ node: 'gt', year: 2026, sequence: 1 })).toThrow(RangeError);
    expect(() => formatCaseReference({ node: 'GT', year: 1999, sequence: 1 })).toThrow(RangeError);
    expect(() => formatCaseReference({ node: 'GT', year: 2026, sequence: 0 })).toThrow(RangeError);
    for (const bad of ['GT-2026-123', 'GT-2026-000000', 'gt-2026-000123', 'GTM-2026-000123', 'GT-26-000123', 'GT-2026-0001234', ' GT-2026-000123']) {
      expect(parseCaseReference(bad)).toBeUndefined();
    }
  });
});
