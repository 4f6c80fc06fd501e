import { type CompileScope, compileExpression, referencedOutcomes, referencedQuestions, toJson, type VarInfo } from './expression';

const vars = new Map<string, VarInfo>([
  ['q_fear', { type: 'boolean' }],
  ['q_age', { type: 'number' }],
  ['q_location', { type: 'choice', options: ['origin', 'transit', 'returned'] }],
  ['q_violence', { type: 'choices', options: ['sexual', 'torture', 'none'] }],
  ['q_arrival', { type: 'date' }],
  ['q_story', { type: 'text' }],
]);

const scope: CompileScope = {
  vars,
  place: 'rule',
  refs: {
    flag: {
      noun: 'flag',
      allowed: new Set(['fear_of_return']),
      whyNot: (name) => (name === 'trafficking_indicators' ? 'Flag "trafficking_indicators" is defined by a later rule.' : undefined),
    },
  },
};

const issuesOf = (json: unknown, s: CompileScope = scope) => compileExpression(json, 'when', s).issues;

describe('compileExpression', () => {
  it('compiles literals, variables, operators and outcome references', () => {
    const json = {
      and: [
        { var: 'q_fear' },
        { '>=': [{ var: 'q_age' }, 18] },
        { in: [{ var: 'q_location' }, ['origin', 'returned']] },
        { contains: [{ var: 'q_violence' }, 'torture'] },
        { some: [{ var: 'q_violence' }, ['sexual', 'torture']] },
        { '<=': [{ days_since: { var: 'q_arrival' } }, 30] },
        { answered: 'q_story' },
        { flag: 'fear_of_return' },
        { not: { '==': [{ count: { var: 'q_violence' } }, 0] } },
        { if: [true, { count_true: [true, false, { var: 'q_fear' }] }, 0] },
        { '!=': [{ years_since: '2000-01-01' }, null] },
      ],
    };
    const { expr, issues } = compileExpression(json, 'when', scope);
    expect(issues).toEqual([]);
    expect(expr).toBeDefined();
    expect(referencedQuestions(expr!)).toEqual(['q_fear', 'q_age', 'q_location', 'q_violence', 'q_arrival', 'q_story']);
    expect(referencedOutcomes(expr!)).toEqual([{ ref: 'flag', name: 'fear_of_return' }]);
  });

  it('round-trips through toJson', () => {
    const json = { or: [{ '==': [{ var: 'q_location' }, 'origin'] }, { not: [{ var: 'q_fear' }] }, ['a', 1, null, true]] };
    const { expr } = compileExpression(json, 'when', scope);
    expect(compileExpression(toJson(expr!), 'when', scope).expr).toEqual(expr);
  });

  it.each([
    [{ var: 'q_unknown' }, 'when.var', 'unknown-question'],
    [{ and: [{ var: 'q_fear' }, { var: 'q_nope' }] }, 'when.and[1].var', 'unknown-question'],
    [{ not: { answered: 'q_missing' } }, 'when.not.answered', 'unknown-question'],
    [{ frobnicate: [1, 2] }, 'when.frobnicate', 'unknown-operator'],
    [{ constructor: [1] }, 'when.constructor', 'unknown-operator'],
    [{ '==': [1] }, 'when.==', 'wrong-arity'],
    [{ not: [true, false] }, 'when.not', 'wrong-arity'],
    [{ and: [] }, 'when.and', 'wrong-arity'],
    [{ a: 1, b: 2 }, 'when', 'invalid-expression'],
    [{}, 'when', 'invalid-expression'],
    [{ var: 'q_story' }, 'when.var', 'free-text-in-rule'],
    [{ var: 42 }, 'when.var', 'invalid-reference'],
    [{ '==': [{ var: 'q_location' }, 'orign'] }, 'when.==[1]', 'unknown-option'],
    [{ '==': ['orign', { var: 'q_location' }] }, 'when.==[0]', 'unknown-option'],
    [{ in: [{ var: 'q_location' }, ['origin', 'nowhere']] }, 'when.in[1][1]', 'unknown-option'],
    [{ contains: [{ var: 'q_violence' }, 'sexaul'] }, 'when.contains[1]', 'unknown-option'],
    [{ some: [{ var: 'q_violence' }, ['none', 'other']] }, 'when.some[1][1]', 'unknown-option'],
    [{ '==': [{ var: 'q_fear' }, 'yes'] }, 'when.==[1]', 'type-mismatch'],
    [{ '>': [{ var: 'q_age' }, '18'] }, 'when.>[1]', 'type-mismatch'],
    [{ '<': [{ var: 'q_arrival' }, '2026-02-30'] }, 'when.<[1]', 'type-mismatch'],
    [{ '<': [{ var: 'q_fear' }, 1] }, 'when.<[0]', 'type-mismatch'],
    [{ count: { var: 'q_age' } }, 'when.count', 'type-mismatch'],
    [{ days_since: '2026-13-01' }, 'when.days_since', 'invalid-literal'],
    [{ flag: 'trafficking_indicators' }, 'when.flag', 'reference-not-allowed'],
    [{ flag: 'no_such_flag' }, 'when.flag', 'unknown-flag'],
    [{ recommended: 'national_asylum' }, 'when.recommended', 'reference-not-allowed'],
    [{ '==': [{ var: 'q_age' }, { x: 1 }] }, 'when.==[1].x', 'unknown-operator'],
    [[{ var: 'q_age' }], 'when[0]', 'invalid-literal'],
    ['x'.repeat(201), 'when', 'invalid-literal'],
  ])('rejects %j at %s (%s)', (json, path, code) => {
    const issues = issuesOf(json);
    expect(issues).toContainEqual(expect.objectContaining({ path, code }));
  });

  it('reports every problem, not only the first', () => {
    const issues = issuesOf({ and: [{ var: 'q_a' }, { or: [{ var: 'q_b' }, { nope: 1 }] }] });
    expect(issues.map((i) => i.path)).toEqual(['when.and[0].var', 'when.and[1].or[0].var', 'when.and[1].or[1].nope']);
  });

  it('bounds depth and size', () => {
    let deep: unknown = true;
    for (let i = 0; i < 30; i++) deep = { not: deep };
    expect(issuesOf(deep).map((i) => i.code)).toContain('expression-too-deep');
    const wide = { or: Array.from({ length: 64 }, () => ({ and: Array.from({ length: 20 }, () => true) })) };
    expect(issuesOf(wide).map((i) => i.code)).toContain('expression-too-large');
  });

  it('never throws on values JSON cannot even express', () => {
    for (const weird of [undefined, NaN, Infinity, () => 1, Symbol('x'), new Date(), new Map(), Object.create(null), { var: undefined }]) {
      expect(() => compileExpression(weird, 'when', scope)).not.toThrow();
      expect(compileExpression(weird, 'when', scope).issues.length).toBeGreaterThan(0);
    }
  });
});
