import fc from 'fast-check';
import { type EvalEnv, evaluate } from './evaluate';
import { type CompileScope, compileExpression, type Expr, OPERATORS, REF_KINDS, type Scalar, toJson, type Value, type VarInfo } from './expression';

const QUESTIONS: [string, VarInfo][] = [
  ['q_bool', { type: 'boolean' }],
  ['q_num', { type: 'number' }],
  ['q_choice', { type: 'choice', options: ['a', 'b', 'c'] }],
  ['q_multi', { type: 'choices', options: ['x', 'y', 'z'] }],
  ['q_date', { type: 'date' }],
  ['q_text', { type: 'text' }],
];
const QUESTION_IDS = QUESTIONS.map(([id]) => id);
const REF_NAMES = ['r1', 'r2', 'r3'];
const scope: CompileScope = {
  vars: new Map(QUESTIONS),
  refs: Object.fromEntries(REF_KINDS.map((k) => [k, { noun: k, allowed: new Set(REF_NAMES) }])),
};

const ARITY: Record<string, [number, number]> = {
  and: [1, 4],
  or: [1, 4],
  count_true: [1, 4],
  not: [1, 1],
  count: [1, 1],
  days_since: [1, 1],
  years_since: [1, 1],
  if: [3, 3],
};

const scalarArb: fc.Arbitrary<Scalar> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
  fc.constantFrom('a', 'b', 'c', 'x', 'y', 'z', '', '2026-01-15', '2000-02-29', '1999-12-31'),
  fc.string({ maxLength: 8 }),
);
/** Any value an answer could hold, including ones of the wrong type for its question. */
const valueArb: fc.Arbitrary<Value> = fc.oneof(scalarArb, fc.array(scalarArb, { maxLength: 4 }));

/** Random well-formed expressions: every operator, any argument types (ill-typed ones included). */
const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    valueArb.map((value): Expr => ({ kind: 'literal', value })),
    fc.constantFrom(...QUESTION_IDS.filter((q) => q !== 'q_text')).map((name): Expr => ({ kind: 'var', name })),
    fc.constantFrom(...QUESTION_IDS).map((name): Expr => ({ kind: 'answered', name })),
    fc.record({ ref: fc.constantFrom(...REF_KINDS), name: fc.constantFrom(...REF_NAMES) }).map(({ ref, name }): Expr => ({ kind: 'ref', ref, name })),
    fc.constantFrom(...OPERATORS).chain((op) => {
      const [min, max] = ARITY[op] ?? [2, 2];
      return fc.array(tie('expr'), { minLength: min, maxLength: max }).map((args): Expr => ({ kind: 'op', op, args }));
    }),
  ),
})).expr;

const answersArb = fc.dictionary(fc.constantFrom(...QUESTION_IDS), valueArb, { maxKeys: QUESTION_IDS.length });
const refsArb = fc.dictionary(
  fc.constantFrom(...REF_KINDS.flatMap((k) => REF_NAMES.map((n) => `${k}:${n}`))),
  fc.record({ value: fc.boolean(), reasons: fc.subarray(QUESTION_IDS) }),
);
const dateArb = fc.date({ min: new Date('1950-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

function envOf(answers: Record<string, Value>, refs: Record<string, { value: boolean; reasons: string[] }>, asOf: string): EvalEnv {
  return {
    answer: (id) => (Object.prototype.hasOwnProperty.call(answers, id) ? answers[id] : undefined),
    ref: (kind, name) => refs[`${kind}:${name}`] ?? { value: false, reasons: [] },
    asOf,
  };
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('rules evaluator (properties)', () => {
  it('compiling any JSON value never throws: it yields an expression or issues with paths', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (json) => {
        const { expr, issues } = compileExpression(json, 'when', scope);
        expect(expr === undefined).toBe(issues.length > 0);
        for (const issue of issues) expect(issue.path.startsWith('when')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('compiling random operator trees never throws', () => {
    fc.assert(
      fc.property(exprArb, (expr) => {
        expect(() => compileExpression(toJson(expr), 'when', scope)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  it('evaluating random rules on random answers never throws and is deterministic', () => {
    fc.assert(
      fc.property(exprArb, answersArb, refsArb, dateArb, fc.nat(), (expr, answers, refs, asOf, seed) => {
        const first = evaluate(expr, envOf(answers, refs, asOf));
        const again = evaluate(expr, envOf(answers, refs, asOf));
        const reordered = evaluate(expr, envOf(Object.fromEntries(shuffled(Object.entries(answers), seed)), refs, asOf));
        for (const other of [again, reordered]) {
          expect(other.value).toEqual(first.value);
          expect([...other.reasons].sort()).toEqual([...first.reasons].sort());
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('explains results only with answered questions (or the reasons of referenced outcomes)', () => {
    fc.assert(
      fc.property(exprArb, answersArb, refsArb, dateArb, (expr, answers, refs, asOf) => {
        const { reasons } = evaluate(expr, envOf(answers, refs, asOf));
        const fromRefs = new Set(Object.values(refs).flatMap((r) => r.reasons));
        for (const id of reasons) expect(id in answers || fromRefs.has(id)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('logical operators always yield booleans, counts yield natural numbers', () => {
    fc.assert(
      fc.property(exprArb, answersArb, refsArb, dateArb, (expr, answers, refs, asOf) => {
        if (expr.kind !== 'op') return;
        const { value } = evaluate(expr, envOf(answers, refs, asOf));
        if (['==', '!=', '<', '<=', '>', '>=', 'and', 'or', 'not', 'in', 'contains', 'some'].includes(expr.op)) {
          expect(typeof value).toBe('boolean');
        }
        if (expr.op === 'count' || expr.op === 'count_true') {
          expect(Number.isInteger(value) && (value as number) >= 0).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('toJson and compileExpression are inverse: what compiles is the same tree', () => {
    fc.assert(
      fc.property(exprArb, (expr) => {
        const { expr: back, issues } = compileExpression(toJson(expr), 'when', scope);
        // Random trees may be ill-typed (the compiler's static checks catch that); nothing else may fail.
        for (const issue of issues) expect(['type-mismatch', 'unknown-option', 'invalid-literal']).toContain(issue.code);
        if (issues.length === 0) expect(back).toEqual(expr);
      }),
      { numRuns: 2000 },
    );
  });
});
