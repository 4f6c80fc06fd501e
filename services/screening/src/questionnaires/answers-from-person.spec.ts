import fc from 'fast-check';
import { COUNTRY_CODES } from '@puente/contracts';
import { lt, smallDefinition } from '../testing/fixtures';
import { loadDefaultQuestionnaires } from './default-content';
import { compileQuestionnaire } from './definition';
import { answersFromPerson } from './engine';

const [shipped] = loadDefaultQuestionnaires();
const adult = { nationality: 'HN', sex: 'female', ageBand: 'aged_18_to_59' };

describe('answers taken from what intake knows of the person', () => {
  it('answers the shipped questionnaire\'s nationality from intake\'s ISO code instead of asking again', () => {
    expect(answersFromPerson(shipped, adult)).toEqual({ q_nationality: 'hn' });
    expect(answersFromPerson(shipped, { ...adult, nationality: 'XX' })).toEqual({ q_nationality: 'stateless' });
    expect(answersFromPerson(shipped, { ...adult, nationality: 'FR' })).toEqual({ q_nationality: 'other' });
  });

  it('always yields an option of the question, whatever the ISO 3166-1 code (property)', () => {
    const question = shipped.questions.get('q_nationality')!;
    fc.assert(
      fc.property(fc.constantFrom(...COUNTRY_CODES, 'XX'), (nationality) => {
        const answer = answersFromPerson(shipped, { ...adult, nationality }).q_nationality as string;
        expect(question.options).toContain(answer);
      }),
    );
  });

  it('is declared per question (single choice only, known attributes only)', () => {
    const def = smallDefinition() as unknown as { sections: { questions: Record<string, unknown>[] }[] };
    const withSex = structuredClone(def);
    withSex.sections[0].questions.push({ id: 'q_sex', type: 'single', text: lt('Sex'), fromPerson: 'sex', options: [{ value: 'female', label: lt('Woman') }, { value: 'male', label: lt('Man') }] });
    const compiled = compileQuestionnaire(withSex);
    expect(compiled.issues).toEqual([]);
    expect(answersFromPerson(compiled.questionnaire!, adult)).toEqual({ q_sex: 'female' });
    expect(answersFromPerson(compiled.questionnaire!, { ...adult, sex: 'undisclosed' })).toEqual({});

    const bad = structuredClone(def);
    bad.sections[0].questions.push({ id: 'q_x', type: 'number', text: lt('x'), fromPerson: 'age_band' });
    bad.sections[0].questions.push({ id: 'q_y', type: 'single', text: lt('y'), fromPerson: 'income', options: [{ value: 'a', label: lt('a') }, { value: 'b', label: lt('b') }] });
    expect(compileQuestionnaire(bad).issues.map((i) => i.code)).toEqual(expect.arrayContaining(['not-applicable', 'invalid-value']));
  });
});
