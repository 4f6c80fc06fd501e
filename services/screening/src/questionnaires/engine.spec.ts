import fc from 'fast-check';
import { smallDefinition } from '../testing/fixtures';
import { compileQuestionnaire, type CompiledQuestionnaire } from './definition';
import { type Answers, applyAnswerPatch, carryOverAnswers, completionIssues, evaluateOutcome, visibleQuestions } from './engine';

const ASOF = '2026-03-01';
const q: CompiledQuestionnaire = compileQuestionnaire(smallDefinition()).questionnaire!;

describe('questionnaire engine', () => {
  it('shows conditional questions only when their condition holds', () => {
    expect([...visibleQuestions(q, {}, ASOF)]).toEqual(expect.arrayContaining(['q_age', 'q_fear', 'q_location', 'q_note']));
    expect(visibleQuestions(q, {}, ASOF).has('q_reasons')).toBe(false);
    expect(visibleQuestions(q, { q_fear: true }, ASOF).has('q_reasons')).toBe(true);
    expect(visibleQuestions(q, { q_location: 'host' }, ASOF).has('q_arrival')).toBe(true);
  });

  it('accepts answers in parts and keeps them in questionnaire order', () => {
    const first = applyAnswerPatch(q, {}, { q_location: 'host', q_age: 30 }, ASOF);
    expect(first.issues).toEqual([]);
    expect(Object.keys(first.answers!)).toEqual(['q_age', 'q_location']);
    const second = applyAnswerPatch(q, first.answers!, { q_fear: true, q_reasons: ['religion'], q_arrival: '2026-01-10' }, ASOF);
    expect(second.issues).toEqual([]);
    expect(second.answers).toEqual({ q_age: 30, q_fear: true, q_reasons: ['religion'], q_location: 'host', q_arrival: '2026-01-10' });
    const cleared = applyAnswerPatch(q, second.answers!, { q_arrival: null }, ASOF);
    expect(cleared.answers).not.toHaveProperty('q_arrival');
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['unknown question', { q_fear_of_return: true }, 'answers.q_fear_of_return', 'unknown-question'],
    ['prototype keys', JSON.parse('{"__proto__": true}'), 'answers', 'invalid-question-id'],
    ['ids that are not ids', { 'Q AGE; DROP': 1 }, 'answers', 'invalid-question-id'],
    ['boolean as string', { q_fear: 'yes' }, 'answers.q_fear', 'wrong-type'],
    ['number as string', { q_age: '15' }, 'answers.q_age', 'wrong-type'],
    ['fractional age', { q_age: 15.5 }, 'answers.q_age', 'not-integer'],
    ['negative age', { q_age: -1 }, 'answers.q_age', 'out-of-range'],
    ['unknown option', { q_location: 'moon' }, 'answers.q_location', 'unknown-option'],
    ['single choice as list', { q_location: ['host'] }, 'answers.q_location', 'wrong-type'],
    ['exclusive option combined', { q_fear: true, q_reasons: ['unknown', 'religion'] }, 'answers.q_reasons', 'exclusive-option'],
    ['duplicate options', { q_fear: true, q_reasons: ['religion', 'religion'] }, 'answers.q_reasons', 'duplicate-option'],
    ['empty list', { q_fear: true, q_reasons: [] }, 'answers.q_reasons', 'empty'],
    ['invalid date', { q_location: 'host', q_arrival: '2026-02-30' }, 'answers.q_arrival', 'wrong-type'],
    ['future date', { q_location: 'host', q_arrival: '2026-03-02' }, 'answers.q_arrival', 'in-future'],
    ['too long text', { q_note: 'x'.repeat(201) }, 'answers.q_note', 'too-long'],
    ['blank text', { q_note: '   ' }, 'answers.q_note', 'empty'],
    ['control characters', { q_note: 'a\u0000b' }, 'answers.q_note', 'invalid-text'],
    ['a lone surrogate', { q_note: 'a\ud800b' }, 'answers.q_note', 'invalid-text'],
    ['hidden question', { q_fear: false, q_reasons: ['religion'] }, 'answers.q_reasons', 'hidden-question'],
    ['question hidden by default', { q_arrival: '2026-01-01' }, 'answers.q_arrival', 'hidden-question'],
  ])('refuses %s at its exact path', (_name, patch, field, code) => {
    const r = applyAnswerPatch(q, {}, patch, ASOF);
    expect(r.answers).toBeUndefined();
    expect(r.issues).toContainEqual(expect.objectContaining({ field, code }));
  });

  it('clears earlier answers that a change hides, and says so', () => {
    const before = applyAnswerPatch(q, {}, { q_fear: true, q_reasons: ['religion'] }, ASOF).answers!;
    const after = applyAnswerPatch(q, before, { q_fear: false }, ASOF);
    expect(after.issues).toEqual([]);
    expect(after.cleared).toEqual(['q_reasons']);
    expect(after.answers).toEqual({ q_fear: false });
  });

  it('requires the required questions that are shown', () => {
    expect(completionIssues(q, { q_age: 30, q_fear: false }, ASOF)).toEqual([expect.objectContaining({ field: 'answers.q_location', code: 'required' })]);
    expect(completionIssues(q, { q_age: 30, q_fear: true, q_location: 'origin' }, ASOF)).toEqual([
      expect.objectContaining({ field: 'answers.q_reasons', code: 'required' }),
    ]);
    expect(completionIssues(q, { q_age: 30, q_fear: false, q_location: 'origin' }, ASOF)).toEqual([]);
  });

  it('evaluates flags, grounds, risk and recommendations with their reasons', () => {
    const answers: Answers = { q_age: 16, q_fear: true, q_reasons: ['political_opinion'], q_location: 'host', q_arrival: '2026-01-10', q_note: 'free text' };
    expect(evaluateOutcome(q, answers, ASOF)).toEqual({
      flags: [
        { flag: 'unaccompanied_child', reasons: ['q_age'] },
        { flag: 'fear_of_return', reasons: ['q_fear'] },
      ],
      fearGrounds: [{ ground: 'political_opinion', reasons: ['q_fear', 'q_reasons'] }],
      risk: { level: 'high', reasons: ['q_age', 'q_fear'] },
      recommendations: [
        { pathway: 'national_asylum', reasons: ['q_fear', 'q_location'] },
        { pathway: 'legal_aid', reasons: ['q_fear', 'q_location', 'q_arrival'] },
      ],
    });
    // Explained by the answers that made the other recommendations false.
    expect(evaluateOutcome(q, { q_age: 40, q_fear: false, q_location: 'origin' }, ASOF)).toEqual({
      flags: [],
      fearGrounds: [],
      risk: { level: 'low', reasons: [] },
      recommendations: [{ pathway: 'services_only', reasons: ['q_fear'] }],
    });
  });

  it('ignores answers of hidden questions when evaluating', () => {
    const withHidden: Answers = { q_age: 40, q_fear: false, q_reasons: ['religion'], q_location: 'origin' };
    expect(evaluateOutcome(q, withHidden, ASOF).fearGrounds).toEqual([]);
  });

  it('carries over what still fits a new version', () => {
    const { answers, dropped } = carryOverAnswers(q, { q_age: 30, q_fear: false, q_reasons: ['religion'], q_old: 'x', q_location: 'moon' }, ASOF);
    expect(answers).toEqual({ q_age: 30, q_fear: false });
    expect(dropped.sort()).toEqual(['q_location', 'q_old', 'q_reasons']);
  });

  it('evaluation is total and deterministic on random answers (property)', () => {
    const anyValue = fc.oneof(fc.boolean(), fc.integer({ min: -5, max: 130 }), fc.constantFrom('host', 'origin', 'religion', '2026-01-01', 'x'), fc.array(fc.constantFrom('political_opinion', 'religion', 'unknown', 'z'), { maxLength: 3 }));
    const answersArb = fc.dictionary(fc.constantFrom(...q.questionIds, 'q_stray'), anyValue);
    fc.assert(
      fc.property(answersArb, (answers) => {
        const a = evaluateOutcome(q, answers, ASOF);
        const b = evaluateOutcome(q, Object.fromEntries(Object.entries(answers).reverse()), ASOF);
        expect(b).toEqual(a);
        // Every reason is a shown, answered question.
        const shown = visibleQuestions(q, answers, ASOF);
        const reasons = [...a.flags, ...a.fearGrounds, ...a.recommendations, a.risk].flatMap((x) => x.reasons);
        for (const id of reasons) expect(shown.has(id) && id in answers).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
