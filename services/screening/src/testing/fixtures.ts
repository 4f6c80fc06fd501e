// Test-only builders of questionnaire definitions.
import type { QuestionnaireDefinition } from '../questionnaires/definition';

/** The same text in the four required locales (enough for tests). */
export function lt(text: string): Record<string, string> {
  return { es: `${text} (es)`, en: text, fr: `${text} (fr)`, pt: `${text} (pt)` };
}

/** A small valid questionnaire: fear of return with grounds, a child question, a free-text note. */
export function smallDefinition(key = 'test-screening'): QuestionnaireDefinition {
  return {
    schemaVersion: 1,
    key,
    title: lt('Test screening'),
    locales: ['es', 'en', 'fr', 'pt'],
    sections: [
      {
        id: 's_main',
        title: lt('Main'),
        questions: [
          { id: 'q_age', type: 'number', text: lt('Age'), required: true, min: 0, max: 120, integer: true },
          { id: 'q_fear', type: 'boolean', text: lt('Fear of return?'), required: true },
          {
            id: 'q_reasons',
            type: 'multi',
            text: lt('Why?'),
            required: true,
            visibleWhen: { var: 'q_fear' },
            options: [
              { value: 'political_opinion', label: lt('Political opinion') },
              { value: 'religion', label: lt('Religion') },
              { value: 'unknown', label: lt('Does not know'), exclusive: true },
            ],
          },
          { id: 'q_location', type: 'single', text: lt('Where now?'), required: true, options: [{ value: 'origin', label: lt('Origin') }, { value: 'host', label: lt('Host') }] },
          { id: 'q_arrival', type: 'date', text: lt('Arrival date'), notInFuture: true, visibleWhen: { '==': [{ var: 'q_location' }, 'host'] } },
          { id: 'q_note', type: 'text', text: lt('Notes'), maxLength: 200 },
        ],
      },
    ],
    rules: {
      flags: [
        { flag: 'fear_of_return', when: { var: 'q_fear' } },
        { flag: 'unaccompanied_child', when: { '<': [{ var: 'q_age' }, 18] } },
      ],
      fearGrounds: [
        { ground: 'political_opinion', when: { and: [{ flag: 'fear_of_return' }, { contains: [{ var: 'q_reasons' }, 'political_opinion'] }] } },
        { ground: 'religion', when: { and: [{ flag: 'fear_of_return' }, { contains: [{ var: 'q_reasons' }, 'religion'] }] } },
      ],
      risk: [
        { level: 'medium', when: { flag: 'fear_of_return' } },
        { level: 'high', when: { and: [{ flag: 'fear_of_return' }, { flag: 'unaccompanied_child' }] } },
      ],
      pathways: [
        { pathway: 'national_asylum', when: { and: [{ flag: 'fear_of_return' }, { '==': [{ var: 'q_location' }, 'host'] }] } },
        { pathway: 'idp_protection', when: { and: [{ flag: 'fear_of_return' }, { '==': [{ var: 'q_location' }, 'origin'] }] } },
        { pathway: 'legal_aid', when: { and: [{ recommended: 'national_asylum' }, { '>': [{ days_since: { var: 'q_arrival' } }, 30] }] } },
        { pathway: 'services_only', when: { not: { or: [{ recommended: 'national_asylum' }, { recommended: 'idp_protection' }] } } },
      ],
    },
  };
}
