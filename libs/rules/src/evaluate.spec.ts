import { type EvalEnv, daysSince, evaluate, truthy, valuesEqual, yearsSince } from './evaluate';
import { type CompileScope, compileExpression, type Value, type VarInfo } from './expression';

const vars = new Map<string, VarInfo>([
  ['q_fear', { type: 'boolean' }],
  ['q_age', { type: 'number' }],
  ['q_location', { type: 'choice', options: ['origin', 'transit', 'returned'] }],
  ['q_violence', { type: 'choices', options: ['sexual', 'torture', 'none'] }],
  ['q_arrival', { type: 'date' }],
  ['q_dob', { type: 'date' }],
  ['q_story', { type: 'text' }],
]);
const scope: CompileScope = {
  vars,
  refs: { flag: { noun: 'flag', allowed: new Set(['fear_of_return', 'disability']) } },
};

function env(answers: Record<string, Value>, flags: Record<string, { value: boolean; reasons: string[] }> = {}, asOf = '2026-03-01'): EvalEnv {
  return {
    answer: (id) => (Object.prototype.hasOwnProperty.call(answers, id) ? answers[id] : undefined),
    ref: (_kind, name) => flags[name] ?? { value: false, reasons: [] },
    asOf,
  };
}

function run(json: unknown, answers: Record<string, Value>, flags?: Record<string, { value: boolean; reasons: string[] }>, asOf?: string) {
  const { expr, issues } = compileExpression(json, 'when', scope);
  expect(issues).toEqual([]);
  const r = evaluate(expr!, env(answers, flags, asOf));
  return { value: r.value, reasons: [...r.reasons].sort() };
}

describe('evaluate', () => {
  it('reads answers; unanswered questions are null', () => {
    expect(run({ var: 'q_age' }, { q_age: 15 })).toEqual({ value: 15, reasons: ['q_age'] });
    expect(run({ var: 'q_age' }, {})).toEqual({ value: null, reasons: [] });
    expect(run({ answered: 'q_story' }, { q_story: 'text' })).toEqual({ value: true, reasons: ['q_story'] });
    expect(run({ answered: 'q_story' }, {})).toEqual({ value: false, reasons: [] });
  });

  it('compares strictly, without type coercion', () => {
    expect(run({ '==': [{ var: 'q_age' }, 15] }, { q_age: 15 }).value).toBe(true);
    expect(run({ '==': [{ var: 'q_age' }, 15] }, { q_age: '15' }).value).toBe(false);
    expect(run({ '!=': [{ var: 'q_age' }, 15] }, { q_age: '15' }).value).toBe(true);
    expect(run({ '==': [{ var: 'q_violence' }, ['sexual', 'torture']] }, { q_violence: ['sexual', 'torture'] }).value).toBe(true);
    expect(run({ '==': [{ var: 'q_violence' }, ['sexual']] }, { q_violence: ['sexual', 'torture'] }).value).toBe(false);
    expect(run({ '<': [{ var: 'q_age' }, 18] }, { q_age: 17 }).value).toBe(true);
    expect(run({ '<': [{ var: 'q_age' }, 18] }, { q_age: 18 }).value).toBe(false);
    expect(run({ '<=': [{ var: 'q_age' }, 18] }, { q_age: 18 }).value).toBe(true);
    expect(run({ '>': [{ var: 'q_age' }, 59] }, { q_age: 60 }).value).toBe(true);
    expect(run({ '>=': [{ var: 'q_age' }, 60] }, { q_age: 59 }).value).toBe(false);
    // Unanswered or mistyped values never satisfy an ordering.
    expect(run({ '<': [{ var: 'q_age' }, 18] }, {}).value).toBe(false);
    expect(run({ '<': [{ var: 'q_age' }, 18] }, { q_age: '10' }).value).toBe(false);
    expect(run({ '>=': [{ var: 'q_age' }, 18] }, { q_age: true }).value).toBe(false);
    // Dates compare as ISO strings.
    expect(run({ '<': [{ var: 'q_arrival' }, '2026-01-01'] }, { q_arrival: '2025-12-31' }).value).toBe(true);
  });

  it('has list operators: in, contains, some, count', () => {
    expect(run({ in: [{ var: 'q_location' }, ['origin', 'returned']] }, { q_location: 'returned' }).value).toBe(true);
    expect(run({ in: [{ var: 'q_location' }, ['origin', 'returned']] }, { q_location: 'transit' }).value).toBe(false);
    expect(run({ in: [{ var: 'q_location' }, ['origin']] }, {}).value).toBe(false);
    expect(run({ contains: [{ var: 'q_violence' }, 'torture'] }, { q_violence: ['sexual', 'torture'] }).value).toBe(true);
    expect(run({ contains: [{ var: 'q_violence' }, 'torture'] }, { q_violence: 'torture' }).value).toBe(false);
    expect(run({ some: [{ var: 'q_violence' }, ['sexual', 'none']] }, { q_violence: ['torture', 'sexual'] }).value).toBe(true);
    expect(run({ some: [{ var: 'q_violence' }, ['sexual', 'none']] }, { q_violence: ['torture'] }).value).toBe(false);
    expect(run({ count: { var: 'q_violence' } }, { q_violence: ['torture', 'sexual'] }).value).toBe(2);
    expect(run({ count: { var: 'q_violence' } }, {}).value).toBe(0);
    expect(run({ count_true: [{ var: 'q_fear' }, true, 0, 'x', []] }, { q_fear: true }).value).toBe(3);
  });

  it('computes days and years from dates relative to the reference date', () => {
    expect(run({ days_since: { var: 'q_arrival' } }, { q_arrival: '2026-02-01' }).value).toBe(28);
    expect(run({ days_since: { var: 'q_arrival' } }, { q_arrival: '2024-02-29' }, {}, '2025-03-01').value).toBe(366);
    expect(run({ days_since: { var: 'q_arrival' } }, { q_arrival: 'not a date' }).value).toBeNull();
    expect(run({ years_since: { var: 'q_dob' } }, { q_dob: '2010-03-02' }).value).toBe(15);
    expect(run({ years_since: { var: 'q_dob' } }, { q_dob: '2010-03-01' }).value).toBe(16);
    expect(daysSince('2026-03-05', '2026-03-01')).toBe(-4);
    expect(yearsSince('2008-02-29', '2026-02-28')).toBe(17);
    expect(yearsSince('2008-02-29', '2026-03-01')).toBe(18);
    expect(yearsSince(42, '2026-03-01')).toBeNull();
  });

  it('explains and/or by the arguments that decided them', () => {
    const rule = { and: [{ var: 'q_fear' }, { '<': [{ var: 'q_age' }, 18] }] };
    expect(run(rule, { q_fear: true, q_age: 15, q_location: 'origin' })).toEqual({ value: true, reasons: ['q_age', 'q_fear'] });
    expect(run(rule, { q_fear: true, q_age: 30 })).toEqual({ value: false, reasons: ['q_age'] });
    const either = { or: [{ var: 'q_fear' }, { contains: [{ var: 'q_violence' }, 'torture'] }] };
    expect(run(either, { q_fear: false, q_violence: ['torture'] })).toEqual({ value: true, reasons: ['q_violence'] });
    expect(run(either, { q_fear: false, q_violence: ['none'] })).toEqual({ value: false, reasons: ['q_fear', 'q_violence'] });
    expect(run({ if: [{ var: 'q_fear' }, { var: 'q_age' }, 0] }, { q_fear: true, q_age: 3 })).toEqual({ value: 3, reasons: ['q_age', 'q_fear'] });
  });

  it('carries the reasons of referenced outcomes', () => {
    const flags = { fear_of_return: { value: true, reasons: ['q_fear', 'q_location'] } };
    expect(run({ and: [{ flag: 'fear_of_return' }, { not: { flag: 'disability' } }] }, {}, flags)).toEqual({
      value: true,
      reasons: ['q_fear', 'q_location'],
    });
  });

  it('uses JSON Logic truthiness and strict equality helpers', () => {
    for (const v of [null, false, 0, '', []]) expect(truthy(v as Value)).toBe(false);
    for (const v of [true, 1, -1, 'x', ['a']]) expect(truthy(v as Value)).toBe(true);
    expect(valuesEqual(['a'], 'a')).toBe(false);
    expect(valuesEqual(null, null)).toBe(true);
  });
});
