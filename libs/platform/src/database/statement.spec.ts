import fc from 'fast-check';
import { composeStatement, type StatementPart } from './statement';

describe('composeStatement', () => {
  it("renumbers each part's parameters after the parts before it, keeping CTE order and values", () => {
    const a: StatementPart = { ctes: [['a_insert', 'INSERT INTO a (x, y) VALUES ($1, $2) RETURNING x']], params: ['x', 2] };
    const b: StatementPart = {
      ctes: [
        ['b_head', 'SELECT $1::int AS n', 'materialized'],
        ['b_insert', 'INSERT INTO b (n, m, again) SELECT b_head.n, $2, $1 FROM b_head'],
      ],
      params: [7, 'm'],
    };
    const statement = composeStatement([a, b], 'SELECT x FROM a_insert');
    expect(statement.text).toBe(
      [
        'WITH a_insert AS (INSERT INTO a (x, y) VALUES ($1, $2) RETURNING x),',
        'b_head AS MATERIALIZED (SELECT $3::int AS n),',
        'b_insert AS (INSERT INTO b (n, m, again) SELECT b_head.n, $4, $3 FROM b_head)',
        'SELECT x FROM a_insert',
      ].join('\n'),
    );
    expect(statement.values).toEqual(['x', 2, 7, 'm']);
  });

  it('renumbers a body it has composed before by where it stands this time', () => {
    const body = '$1::int + $2 - ($1)';
    const part = (name: string, params: unknown[]): StatementPart => ({ ctes: [[name, `SELECT ${body}`]], params });
    expect(composeStatement([part('x', [1, 2])], 'SELECT 1').text).toBe('WITH x AS (SELECT $1::int + $2 - ($1))\nSELECT 1');
    const before: StatementPart = { ctes: [['w', 'SELECT $1']], params: [0] };
    expect(composeStatement([before, part('x', [1, 2])], 'SELECT 1').text).toBe('WITH w AS (SELECT $1),\nx AS (SELECT $2::int + $3 - ($2))\nSELECT 1');
    // A placeholder beyond its part is refused however the body was seen before.
    expect(() => composeStatement([part('x', [1])], 'SELECT 1')).toThrow('uses $2');
  });

  it('refuses a CTE name used twice, an invalid name, a placeholder beyond its part, and parameters in the final SELECT', () => {
    const part = (name: string, body = 'SELECT $1', params: unknown[] = [1]): StatementPart => ({ ctes: [[name, body]], params });
    expect(() => composeStatement([part('x'), part('x')], 'SELECT 1')).toThrow('used twice');
    expect(() => composeStatement([part('x; DROP TABLE y')], 'SELECT 1')).toThrow('invalid CTE name');
    expect(() => composeStatement([part('x', 'SELECT $2')], 'SELECT 1')).toThrow('uses $2');
    expect(() => composeStatement([part('x', 'SELECT $0')], 'SELECT 1')).toThrow('uses $0');
    expect(() => composeStatement([part('x')], 'SELECT $1')).toThrow('takes no parameters');
  });

  it('maps every placeholder to the value its part meant (property)', () => {
    const partArb = fc.array(fc.integer(), { minLength: 1, maxLength: 6 }).chain((params) =>
      fc.record({
        params: fc.constant(params),
        uses: fc.array(fc.integer({ min: 1, max: params.length }), { minLength: 1, maxLength: 8 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(partArb, { minLength: 1, maxLength: 5 }), (specs) => {
        const parts = specs.map((s, i): StatementPart => ({ ctes: [[`p${i}`, `SELECT ${s.uses.map((u) => `$${u}`).join(', ')}`]], params: s.params }));
        const { text, values } = composeStatement(parts, 'SELECT 1');
        const bodies = [...text.matchAll(/p(\d+) AS \(SELECT ([^)]*)\)/g)];
        expect(bodies).toHaveLength(specs.length);
        for (const [, index, list] of bodies) {
          const spec = specs[Number(index)];
          const resolved = list.split(', ').map((placeholder) => values[Number(placeholder.slice(1)) - 1]);
          expect(resolved).toEqual(spec.uses.map((u) => spec.params[u - 1]));
        }
      }),
    );
  });
});
