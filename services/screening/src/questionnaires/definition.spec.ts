import fc from 'fast-check';
import { lt, smallDefinition } from '../testing/fixtures';
import { compileQuestionnaire, MAX_DEFINITION_DEPTH, type QuestionnaireDefinition, unstorablePart } from './definition';

type Mutable = QuestionnaireDefinition & Record<string, unknown>;

function issuesAfter(change: (d: Mutable) => void, base = 'definition') {
  const d = structuredClone(smallDefinition()) as Mutable;
  change(d);
  return compileQuestionnaire(d, base).issues;
}

const q = (d: QuestionnaireDefinition, i: number) => d.sections[0].questions[i] as unknown as Record<string, unknown>;

describe('questionnaire definition validation', () => {
  it('accepts and compiles a valid definition', () => {
    const { questionnaire, issues } = compileQuestionnaire(smallDefinition());
    expect(issues).toEqual([]);
    expect(questionnaire?.questionIds).toEqual(['q_age', 'q_fear', 'q_reasons', 'q_location', 'q_arrival', 'q_note']);
    expect(Object.isFrozen(questionnaire?.definition.sections[0].questions[0])).toBe(true);
    // Display dependencies come first.
    const order = questionnaire!.visibilityOrder;
    expect(order.indexOf('q_fear')).toBeLessThan(order.indexOf('q_reasons'));
  });

  it.each<[string, (d: Mutable) => void, string, string]>([
    ['duplicate question id', (d) => (q(d, 1).id = 'q_age'), 'definition.sections[0].questions[1].id', 'duplicate-id'],
    ['section id reused by a question', (d) => (q(d, 0).id = 's_main'), 'definition.sections[0].questions[0].id', 'duplicate-id'],
    ['unknown question in a display condition', (d) => (q(d, 2).visibleWhen = { var: 'q_nope' }), 'definition.sections[0].questions[2].visibleWhen.var', 'unknown-question'],
    [
      'unknown question in a rule',
      (d) => (d.rules.flags[0].when = { and: [{ var: 'q_fear' }, { var: 'q_fear_of_return' }] }),
      'definition.rules.flags[0].when.and[1].var',
      'unknown-question',
    ],
    ['a value that is not an option', (d) => (d.rules.pathways[0].when = { '==': [{ var: 'q_location' }, 'hots'] }), 'definition.rules.pathways[0].when.==[1]', 'unknown-option'],
    ['free text in a rule', (d) => (d.rules.flags[0].when = { '==': [{ var: 'q_note' }, 'x'] }), 'definition.rules.flags[0].when.==[0].var', 'free-text-in-rule'],
    ['flags in display conditions', (d) => (q(d, 2).visibleWhen = { flag: 'fear_of_return' }), 'definition.sections[0].questions[2].visibleWhen.flag', 'reference-not-allowed'],
    ['a flag used before its rule', (d) => (d.rules.flags[0].when = { flag: 'unaccompanied_child' }), 'definition.rules.flags[0].when.flag', 'reference-not-allowed'],
    ['a flag referring to itself', (d) => (d.rules.flags[1].when = { flag: 'unaccompanied_child' }), 'definition.rules.flags[1].when.flag', 'reference-not-allowed'],
    ['a flag no rule sets', (d) => (d.rules.risk[0].when = { flag: 'pregnancy' }), 'definition.rules.risk[0].when.flag', 'reference-not-allowed'],
    ['a pathway recommended later', (d) => (d.rules.pathways[0].when = { recommended: 'services_only' }), 'definition.rules.pathways[0].when.recommended', 'reference-not-allowed'],
    ['an unknown flag code', (d) => ((d.rules.flags[0] as { flag: string }).flag = 'afraid'), 'definition.rules.flags[0].flag', 'unknown-flag'],
    ['an unknown pathway code', (d) => ((d.rules.pathways[0] as { pathway: string }).pathway = 'asylum'), 'definition.rules.pathways[0].pathway', 'unknown-pathway'],
    ['an unknown risk level', (d) => ((d.rules.risk[0] as { level: string }).level = 'severe'), 'definition.rules.risk[0].level', 'unknown-risk-level'],
    ['a missing translation', (d) => delete (q(d, 0).text as Record<string, string>).pt, 'definition.sections[0].questions[0].text.pt', 'missing-translation'],
    ['an empty translation', (d) => ((q(d, 0).text as Record<string, string>).fr = '  '), 'definition.sections[0].questions[0].text.fr', 'invalid-text'],
    ['a missing required locale', (d) => (d.locales = ['es', 'en', 'fr']), 'definition.locales', 'missing-locale'],
    ['an unknown property', (d) => (q(d, 0).colour = 'red'), 'definition.sections[0].questions[0].colour', 'unknown-property'],
    ['a property of another type', (d) => (q(d, 1).options = []), 'definition.sections[0].questions[1].options', 'not-applicable'],
    ['a choice question with one option', (d) => (q(d, 3).options = [{ value: 'origin', label: lt('Origin') }]), 'definition.sections[0].questions[3].options', 'invalid-options'],
    ['duplicate options', (d) => ((q(d, 3).options as { value: string }[])[1].value = 'origin'), 'definition.sections[0].questions[3].options[1].value', 'duplicate'],
    ['an unknown question type', (d) => (q(d, 0).type = 'slider'), 'definition.sections[0].questions[0].type', 'invalid-type'],
    ['min above max', (d) => (q(d, 0).min = 200), 'definition.sections[0].questions[0].min', 'invalid-range'],
    ['a bad key', (d) => (d.key = 'Bad Key'), 'definition.key', 'invalid-key'],
    ['a bad schema version', (d) => ((d as { schemaVersion: number }).schemaVersion = 2), 'definition.schemaVersion', 'unsupported-schema'],
    ['missing rules', (d) => delete (d as Partial<Mutable>).rules, 'definition.rules', 'required'],
    ['a rule without condition', (d) => delete (d.rules.flags[0] as Partial<{ when: unknown }>).when, 'definition.rules.flags[0].when', 'required'],
  ])('rejects %s at its exact path', (_name, change, path, code) => {
    expect(issuesAfter(change)).toContainEqual(expect.objectContaining({ path, code }));
  });

  it('detects a display condition that depends on itself', () => {
    const issues = issuesAfter((d) => (q(d, 1).visibleWhen = { var: 'q_fear' }));
    expect(issues).toEqual([expect.objectContaining({ path: 'definition.sections[0].questions[1].visibleWhen', code: 'display-cycle', message: expect.stringContaining('q_fear → q_fear') })]);
  });

  it('detects loops through several questions and through section conditions', () => {
    const issues = issuesAfter((d) => {
      q(d, 1).visibleWhen = { '==': [{ var: 'q_location' }, 'host'] }; // q_fear → q_location
      q(d, 3).visibleWhen = { '>': [{ count: { var: 'q_reasons' } }, 0] }; // q_location → q_reasons → q_fear
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'display-cycle' });
    expect(issues[0].message).toMatch(/q_fear → q_location → q_reasons → q_fear|q_location → q_reasons → q_fear → q_location|q_reasons → q_fear → q_location → q_reasons/);

    const viaSection = compileQuestionnaire({
      ...smallDefinition(),
      sections: [
        { id: 's_a', title: lt('A'), visibleWhen: { var: 'q_b' }, questions: [{ id: 'q_a', type: 'boolean', text: lt('A') }] },
        { id: 's_b', title: lt('B'), questions: [{ id: 'q_b', type: 'boolean', text: lt('B'), visibleWhen: { var: 'q_a' } }] },
      ],
      rules: { flags: [], fearGrounds: [], risk: [], pathways: [] },
    }).issues;
    expect(viaSection).toContainEqual(expect.objectContaining({ code: 'display-cycle' }));
    expect(viaSection.map((i) => i.path)).toEqual(expect.arrayContaining([expect.stringMatching(/^sections\[[01]\](\.questions\[0\])?\.visibleWhen$/)]));
  });

  it('reports every problem of a definition at once', () => {
    const issues = issuesAfter((d) => {
      q(d, 1).id = 'q_age';
      (q(d, 0).text as Record<string, string>).pt = '';
      d.rules.flags[0].when = { var: 'q_unknown' };
    });
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['definition.sections[0].questions[1].id', 'definition.sections[0].questions[0].text.pt', 'definition.rules.flags[0].when.var']),
    );
  });

  it('finds text PostgreSQL cannot store (NUL, lone surrogates) and absurd nesting', () => {
    expect(unstorablePart(smallDefinition(), 'definition')).toBeUndefined();
    expect(unstorablePart({ title: { en: 'a\u0000' } }, 'definition')).toEqual({ path: 'definition.title.en', code: 'invalid-text' });
    expect(unstorablePart({ sections: [{ questions: [{ text: { fr: '\udc00' } }] }] }, 'definition')).toEqual({ path: 'definition.sections[0].questions[0].text.fr', code: 'invalid-text' });
    expect(unstorablePart({ ['k\ud800']: 1 }, 'definition')).toEqual({ path: 'definition', code: 'invalid-text' });
    expect(unstorablePart({ ok: '😀 emoji é' }, 'definition')).toBeUndefined();
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(unstorablePart(deep, 'd')).toEqual({ path: `d${'[0]'.repeat(MAX_DEFINITION_DEPTH)}`, code: 'too-deep' });
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (json) => {
        const { questionnaire, issues } = compileQuestionnaire(json, 'definition');
        expect(questionnaire === undefined).toBe(issues.length > 0);
      }),
      { numRuns: 500 },
    );
    // Random damage to a valid definition: never throws; any issue has a path inside it.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 3 }), (edits) => {
        const d = structuredClone(smallDefinition()) as unknown as Record<string, unknown>;
        for (const [n, value] of edits) {
          const paths = collectPaths(d);
          const [parent, key] = paths[n % paths.length];
          (parent as Record<string, unknown>)[key] = value;
        }
        const { issues } = compileQuestionnaire(d, 'definition');
        for (const issue of issues) expect(issue.path.startsWith('definition')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

function collectPaths(root: unknown): [object, string][] {
  const out: [object, string][] = [];
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    for (const key of Object.keys(node)) {
      out.push([node, key]);
      walk((node as Record<string, unknown>)[key]);
    }
  };
  walk(root);
  return out;
}
