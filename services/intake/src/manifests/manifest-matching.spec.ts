import fc from 'fast-check';
import type { MatchKey } from '@puente/privacy';
import { candidatesByRow, decideRows, type RowDecision, type RowToDecide } from './manifest-matching';

const key = (rule: string, value: string, kid = 'k1') => ({ rule, kid, value }) as MatchKey;

describe('manifest matching: candidates of every row from one lookup', () => {
  it('gives each row the records sharing its keys, with those keys, local persons under this node', () => {
    const rows = [[key('FULLNAME_DOB', 'a'), key('SURNAME_DOB_NATIONALITY', 's')], [key('FULLNAME_DOB', 'b'), key('SURNAME_DOB_NATIONALITY', 's')], [key('FULLNAME_DOB', 'c')]];
    const stored = [
      { node: null, ref: 'p1', kid: 'k1', rule: 'FULLNAME_DOB', value: 'a' },
      { node: null, ref: 'p1', kid: 'k1', rule: 'SURNAME_DOB_NATIONALITY', value: 's' },
      { node: 'MX', ref: 'mx-9', kid: 'k1', rule: 'FULLNAME_DOB', value: 'b' },
      { node: null, ref: 'p2', kid: 'k2', rule: 'FULLNAME_DOB', value: 'c' },
    ];
    const [first, second, third] = candidatesByRow(rows, stored, 'GT');
    expect(first).toEqual([{ node: 'GT', reference: 'p1', keys: [key('FULLNAME_DOB', 'a'), key('SURNAME_DOB_NATIONALITY', 's')] }]);
    expect(second).toEqual(
      expect.arrayContaining([
        { node: 'GT', reference: 'p1', keys: [key('SURNAME_DOB_NATIONALITY', 's')] },
        { node: 'MX', reference: 'mx-9', keys: [key('FULLNAME_DOB', 'b')] },
      ]),
    );
    // Another agreement key (kid) never compares.
    expect(third).toEqual([]);
  });
});

describe('manifest matching: what each row of a call becomes', () => {
  const row = (identity: string, extra: Partial<RowToDecide> = {}): RowToDecide => ({ identityKeys: [identity], sameLocalPersons: [], previous: null, ...extra });

  it('matches the one local person with the same identity, registers the rest once per identity', () => {
    expect(decideRows([row('a', { sameLocalPersons: ['p1'] }), row('b'), row('b'), row('c', { sameLocalPersons: ['p2', 'p3'] })])).toEqual([
      { kind: 'match', personId: 'p1' },
      { kind: 'register' },
      { kind: 'same-as-row', row: 1 },
      { kind: 'register' },
    ]);
  });

  it('keeps a corrected row on the person answered before: corrected when the caller registered them, kept as they are otherwise', () => {
    expect(decideRows([row('x', { previous: { personId: 'p1', registeredByCaller: true } }), row('y', { previous: { personId: 'p2', registeredByCaller: false } })])).toEqual([
      { kind: 'correct', personId: 'p1' },
      { kind: 'match', personId: 'p2' },
    ]);
    // The corrected identity is someone else's: that person (relinked), not a second one.
    expect(decideRows([row('x', { sameLocalPersons: ['p9'], previous: { personId: 'p1', registeredByCaller: true } })])).toEqual([{ kind: 'match', personId: 'p9' }]);
    // Only sex or nationality corrected: still the same person, corrected.
    expect(decideRows([row('x', { sameLocalPersons: ['p1'], previous: { personId: 'p1', registeredByCaller: true } })])).toEqual([{ kind: 'correct', personId: 'p1' }]);
  });

  const rowsArb = fc.array(
    fc.record({
      identityKeys: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 2 }),
      sameLocalPersons: fc.array(fc.constantFrom('p1', 'p2', 'p3'), { maxLength: 2 }).map((ps) => [...new Set(ps)]),
      previous: fc.option(fc.record({ personId: fc.constantFrom('p1', 'p4', 'p5'), registeredByCaller: fc.boolean() }), { nil: null }),
    }),
    { maxLength: 30 },
  );

  it('never registers a second person for one identity, never registers a row that had a person, and refers only to earlier registering rows (property)', () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const decided: RowDecision[] = decideRows(rows);
        expect(decided).toHaveLength(rows.length);
        const registeredIdentities = new Set<string>();
        const corrected = new Set<string>();
        decided.forEach((d, i) => {
          const row = rows[i];
          if (row.sameLocalPersons.length === 1) expect(d).toMatchObject({ personId: row.sameLocalPersons[0] });
          if (row.previous) expect(d.kind).not.toBe('register');
          if (d.kind === 'register') {
            for (const k of row.identityKeys) {
              expect(registeredIdentities.has(k)).toBe(false);
              registeredIdentities.add(k);
            }
          }
          if (d.kind === 'same-as-row') {
            expect(d.row).toBeLessThan(i);
            expect(decided[d.row].kind).toBe('register');
          }
          // Rows of one identity (and no person of their own) are one person.
          const target = (j: number) => (decided[j].kind === 'register' ? `row:${j}` : decided[j].kind === 'same-as-row' ? `row:${(decided[j] as { row: number }).row}` : `person:${(decided[j] as { personId: string }).personId}`);
          const twin = rows.findIndex((other) => other.identityKeys.join() === row.identityKeys.join());
          const own = (r: RowToDecide) => r.sameLocalPersons.length === 1 || r.previous !== null;
          if (twin < i && !own(row) && !own(rows[twin])) expect(target(i)).toBe(target(twin));
          if (d.kind === 'correct') {
            expect(row.previous).toEqual({ personId: d.personId, registeredByCaller: true });
            expect(corrected.has(d.personId)).toBe(false);
            corrected.add(d.personId);
          }
        });
      }),
    );
  });
});
