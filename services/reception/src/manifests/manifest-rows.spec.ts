import fc from 'fast-check';
import { ageOn, checkRows, manifestErrors, rowErrors } from './manifest-rows';

const ON = '2026-12-07';
const good = (returningReference: string, extra: Record<string, unknown> = {}) => ({
  returningReference,
  givenNames: 'Kevin Josué',
  familyNames: 'Hernández Mejía',
  birthDate: '1999-04-18',
  nationality: 'HN',
  sex: 'male',
  ...extra,
});

describe('manifest rows', () => {
  it('accepts a complete row and reports each bad field of a bad row by name, never by value', () => {
    expect(rowErrors(good('A-1'), ON)).toEqual([]);
    const errors = rowErrors({ returningReference: '', givenNames: '123', birthDate: '2027-01-01', nationality: 'hn', sex: 'x', medicalNotes: '\u0000', eyes: 'brown' }, ON);
    expect(errors.map((e) => e.field).sort()).toEqual(['birthDate', 'eyes', 'givenNames', 'medicalNotes', 'nationality', 'returningReference', 'sex']);
    expect(JSON.stringify(errors)).not.toContain('brown');
  });

  it('keeps the first row of a person listed twice and rejects the later ones', () => {
    const { accepted, rejected } = checkRows([good('A-1'), good('A-2'), good('A-1', { givenNames: 'Otro' })], ON);
    expect(accepted.map((a) => a.row)).toEqual([1, 2]);
    expect(rejected).toEqual([expect.objectContaining({ row: 3, field: 'returningReference', code: 'duplicate' })]);
  });

  it('flags an adult marked as an unaccompanied child', () => {
    expect(rowErrors(good('A-1', { unaccompaniedChild: true }), ON)).toEqual([expect.objectContaining({ field: 'unaccompaniedChild', code: 'notAChild' })]);
    expect(rowErrors(good('A-1', { unaccompaniedChild: true, birthDate: '2011-06-01' }), ON)).toEqual([]);
    expect(ageOn('2008-12-07', ON)).toBe(18);
    expect(ageOn('2008-12-08', ON)).toBe(17);
  });

  it('rejects a whole manifest with no rows, a past date or an unknown center', () => {
    expect(manifestErrors({ rowCount: 0, expectedOn: '2026-12-01', today: ON, centerKnown: false }).map((e) => e.field)).toEqual(['persons', 'movement.expectedOn', 'movement.centerCode']);
    expect(manifestErrors({ rowCount: 3, expectedOn: ON, today: ON, centerKnown: true })).toEqual([]);
  });

  it('property: every row is either accepted or reported, with row numbers in range and no value quoted', () => {
    const row = fc.oneof(
      fc.constantFrom('A-1', 'A-2', 'A-3').map((r) => good(r)),
      fc.record({ returningReference: fc.string(), givenNames: fc.string(), birthDate: fc.string(), nationality: fc.string(), sex: fc.string() }),
      fc.anything(),
    );
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), (rows) => {
        const { accepted, rejected } = checkRows(rows, ON);
        const rejectedRows = new Set(rejected.map((r) => r.row));
        expect(accepted.length + rejectedRows.size).toBe(rows.length);
        for (const r of rejected) expect(r.row >= 1 && r.row <= rows.length).toBe(true);
        for (const a of accepted) expect(rejectedRows.has(a.row)).toBe(false);
        expect(new Set(accepted.map((a) => a.person.returningReference)).size).toBe(accepted.length);
      }),
    );
  });
});
