import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Client } from 'pg';
import { arrayLiteral } from './array-literal';

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('arrayLiteral', () => {
  it('writes plain elements bare and quotes the rest', () => {
    expect(arrayLiteral(['GT-MRC-01', 'kx7Q_-9a', '2026-12-07T21:00:00.000Z', 'a/b+c='])).toBe('{GT-MRC-01,kx7Q_-9a,2026-12-07T21:00:00.000Z,a/b+c=}');
    expect(arrayLiteral(['', 'NULL', 'null', 'María José', 'a,b', '{x}', 'say "hi"', 'C:\\path'])).toBe(
      '{"","NULL","null","María José","a,b","{x}","say \\"hi\\"","C:\\\\path"}',
    );
    expect(arrayLiteral([null, undefined, 1.5, -2, 10n, true, false])).toBe('{NULL,NULL,1.5,-2,10,t,f}');
    expect(arrayLiteral([])).toBe('{}');
    expect(arrayLiteral([[1, 2], [3, null]])).toBe('{{1,2},{3,NULL}}');
    expect(arrayLiteral([{ a: '"x"' }])).toBe('{"{\\"a\\":\\"\\\\\\"x\\\\\\"\\"}"}');
  });

  it('refuses an invalid Date rather than send something PostgreSQL would read differently', () => {
    expect(() => arrayLiteral([new Date(Number.NaN)])).toThrow(TypeError);
  });

  describe('read back by PostgreSQL (real server)', () => {
    let client: Client;
    beforeAll(async () => {
      client = new Client({ connectionString: SERVER_URL });
      await client.connect();
    });
    afterAll(async () => {
      await client?.end();
    });
    const readBack = async (literal: string, type: string) => (await client.query<{ a: unknown }>(`SELECT $1::${type} AS a`, [literal])).rows[0].a;

    it('reads any text array, NULLs included, as it was given (property)', async () => {
      // PostgreSQL text cannot hold NUL; everything else, any script, quotes, braces and spaces included.
      const element = fc.oneof(fc.constantFrom('', 'NULL', 'null', ' x ', '{}', '\\', '"', ',', 'a b', '\t'), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));
      const arrays = fc.array(fc.option(element.map((s) => s.replace(/\0/g, '')), { nil: null }), { maxLength: 12 });
      await fc.assert(
        fc.asyncProperty(arrays, async (values) => {
          expect(await readBack(arrayLiteral(values), 'text[]')).toEqual(values);
        }),
        { numRuns: 300 },
      );
    });

    it('reads the typed arrays of the hot paths as pg would send them', async () => {
      const ids = [randomUUID(), randomUUID()];
      expect(await readBack(arrayLiteral(ids), 'uuid[]')).toEqual(ids);
      const at = [new Date('2026-12-07T21:04:52.123Z'), null, new Date(0)];
      expect(await readBack(arrayLiteral(at), 'timestamptz[]')).toEqual(at);
      expect(await readBack(arrayLiteral([true, false, null]), 'boolean[]')).toEqual([true, false, null]);
      expect(await readBack(arrayLiteral([0.25, -1e-7, 3]), 'float8[]')).toEqual([0.25, -1e-7, 3]);
      expect(await readBack(arrayLiteral([Buffer.from([0, 1, 0xfe]), Buffer.alloc(0)]), 'bytea[]')).toEqual([Buffer.from([0, 1, 0xfe]), Buffer.alloc(0)]);
      const details = [{ reference: 'GT-2026-000123', note: 'dice "hola", \\ y {}' }, null];
      expect(await readBack(arrayLiteral(details.map((d) => (d === null ? null : JSON.stringify(d)))), 'jsonb[]')).toEqual(details);
      expect(await readBack(arrayLiteral([[1, 2], [3, null]]), 'int[]')).toEqual([[1, 2], [3, null]]);
    });
  });
});
