import fc from 'fast-check';
import { answerIssues, type Answers, DIMENSIONS, score, SUSTAINABILITY_QUESTIONS, sustainabilityBand } from './sustainability';

/** A complete valid set of answers. */
const answers: fc.Arbitrary<Record<string, string>> = fc.record(
  Object.fromEntries(SUSTAINABILITY_QUESTIONS.map((q) => [q.id, fc.constantFrom(...Object.keys(q.answers))])) as Record<string, fc.Arbitrary<string>>,
);
const question = fc.constantFrom(...SUSTAINABILITY_QUESTIONS);

const worst = (): Answers => Object.fromEntries(SUSTAINABILITY_QUESTIONS.map((q) => [q.id, Object.keys(q.answers)[0]]));
const best = (): Answers => Object.fromEntries(SUSTAINABILITY_QUESTIONS.map((q) => [q.id, Object.keys(q.answers).at(-1)!]));

describe('sustainability score', () => {
  it('scores all-worst answers 0 and all-best answers 1 on every dimension', () => {
    expect(score(worst())).toEqual({ economic: 0, social: 0, psychosocial: 0, composite: 0 });
    expect(score(best())).toEqual({ economic: 1, social: 1, psychosocial: 1, composite: 1 });
  });

  it('covers each of the three dimensions with questions whose answers run from 0 to 1', () => {
    for (const d of DIMENSIONS) expect(SUSTAINABILITY_QUESTIONS.filter((q) => q.dimension === d).length).toBeGreaterThanOrEqual(3);
    for (const q of SUSTAINABILITY_QUESTIONS) {
      const values = Object.values(q.answers);
      expect([Math.min(...values), Math.max(...values)]).toEqual([0, 1]);
    }
  });

  it('keeps every score between 0 and 1, the composite between the lowest and highest dimension', () => {
    fc.assert(
      fc.property(answers, (a) => {
        const s = score(a);
        for (const v of Object.values(s)) expect(v >= 0 && v <= 1).toBe(true);
        expect(s.composite).toBeGreaterThanOrEqual(Math.min(s.economic, s.social, s.psychosocial) - 1e-4);
        expect(s.composite).toBeLessThanOrEqual(Math.max(s.economic, s.social, s.psychosocial) + 1e-4);
      }),
    );
  });

  it('never lowers a score when one answer improves, and moves only that answer\'s dimension', () => {
    fc.assert(
      fc.property(answers, question, (a, q) => {
        const codes = Object.keys(q.answers);
        const at = codes.indexOf(a[q.id]);
        fc.pre(at < codes.length - 1);
        const before = score(a);
        const after = score({ ...a, [q.id]: codes[at + 1] });
        expect(after[q.dimension]).toBeGreaterThan(before[q.dimension]);
        expect(after.composite).toBeGreaterThanOrEqual(before.composite);
        for (const d of DIMENSIONS) if (d !== q.dimension) expect(after[d]).toBe(before[d]);
      }),
    );
  });

  it('gives the same scores for the same answers, whatever their order', () => {
    fc.assert(
      fc.property(answers, (a) => {
        const reversed = Object.fromEntries(Object.entries(a).reverse());
        expect(score(reversed)).toEqual(score(a));
      }),
    );
  });

  it('names unknown questions, unknown answer codes and unanswered questions', () => {
    const a: Record<string, string> = { ...best(), econ_debt: 'a lot', made_up: 'yes' };
    delete a.psy_safety;
    expect(answerIssues(a).map((i) => [i.field, i.code])).toEqual([
      ['answers.econ_debt', 'unknownAnswer'],
      ['answers.made_up', 'unknownQuestion'],
      ['answers.psy_safety', 'missingAnswer'],
    ]);
    expect(() => score(a)).toThrow();
  });

  it('reads the composite in bands', () => {
    expect(sustainabilityBand(0.7)).toBe('sustainable');
    expect(sustainabilityBand(0.5)).toBe('partial');
    expect(sustainabilityBand(0.1)).toBe('low');
  });
});
