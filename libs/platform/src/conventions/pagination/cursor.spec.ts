import fc from 'fast-check';
import { ProblemException } from '../../http/problem';
import { type CursorSchema, decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from './cursor';

const schema: CursorSchema = { t: 'timestamp', id: 'uuid' };
const BASE64URL_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const isoMicros = fc
  .tuple(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }))
  .map(([d, micros]) => `${d.toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`);
const keys = fc.record({ t: isoMicros, id: fc.uuid() });

function expectCursorProblem(fn: () => unknown): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ProblemException);
  const problem = (error as ProblemException).toProblem();
  expect(problem.status).toBe(400);
  expect(problem.errors).toEqual([expect.objectContaining({ field: 'cursor', code: 'invalidCursor' })]);
}

describe('cursor encoding', () => {
  it('round-trips sort keys (property)', () => {
    fc.assert(
      fc.property(keys, fc.string({ maxLength: 40 }), (k, scope) => {
        const cursor = encodeCursor(k, scope);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(cursor.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
        expect(decodeCursor(cursor, schema, scope)).toEqual(k);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips integer and string keys (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.string({ maxLength: 100 }), (n, s) => {
        const k = { n: n.toString(), s };
        expect(decodeCursor(encodeCursor(k), { n: 'integer', s: 'string' })).toEqual(k);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects arbitrary strings with a 400 field error on cursor (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...BASE64URL_CHARS.split('')), maxLength: 200 })), (garbage) => {
        expectCursorProblem(() => decodeCursor(garbage, schema));
      }),
      { numRuns: 500 },
    );
  });

  it('rejects any single-character edit of a valid cursor (property)', () => {
    fc.assert(
      fc.property(keys, fc.nat(), fc.constantFrom(...BASE64URL_CHARS.split('')), (k, at, replacement) => {
        const cursor = encodeCursor(k, 'things');
        const i = at % cursor.length;
        fc.pre(cursor[i] !== replacement);
        const tampered = cursor.slice(0, i) + replacement + cursor.slice(i + 1);
        expectCursorProblem(() => decodeCursor(tampered, schema, 'things'));
      }),
      { numRuns: 500 },
    );
  });

  it('rejects JSON that is well formed but not a cursor of this list', () => {
    const k = { t: '2026-01-01T00:00:00.000000Z', id: '00000000-0000-4000-8000-000000000000' };
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const valid = encodeCursor(k, 'list-a');
    expect(decodeCursor(valid, schema, 'list-a')).toEqual(k);
    expectCursorProblem(() => decodeCursor(valid, schema, 'list-b'));
    expectCursorProblem(() => decodeCursor(valid, { t: 'timestamp' }, 'list-a'));
    expectCursorProblem(() => decodeCursor(valid, { t: 'timestamp', id: 'uuid', x: 'string' }, 'list-a'));
    const payload = JSON.parse(Buffer.from(valid, 'base64url').toString()) as { v: number; k: Record<string, string>; c: string };
    expectCursorProblem(() => decodeCursor(b64({ ...payload, k: { ...k, id: 'not-a-uuid' } }), schema, 'list-a'));
    expectCursorProblem(() => decodeCursor(b64({ ...payload, k: { ...k, t: '2026-13-45T99:00:00Z' } }), schema, 'list-a'));
    expectCursorProblem(() => decodeCursor(b64({ ...payload, v: 2 }), schema, 'list-a'));
    expectCursorProblem(() => decodeCursor(b64({ ...payload, c: undefined }), schema, 'list-a'));
    expectCursorProblem(() => decodeCursor(b64([1, 2]), schema, 'list-a'));
    expectCursorProblem(() => decodeCursor(b64('text'), schema, 'list-a'));
    expectCursorProblem(() => decodeCursor(`${valid}=`, schema, 'list-a'));
    expectCursorProblem(() => decodeCursor('A'.repeat(MAX_CURSOR_LENGTH + 1), schema, 'list-a'));
    expectCursorProblem(() => decodeCursor('', schema, 'list-a'));
  });
});
