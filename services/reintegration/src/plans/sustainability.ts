// Reintegration sustainability score, after IOM's approach: three dimensions (economic, social,
// psychosocial), each scored from structured questions with coded answers. Every answer is worth
// 0 (no sustainability), 0.5 or 1; a dimension is the mean of its questions; the composite
// index is the mean of the three dimensions. Pure: no I/O, no clock.

export const DIMENSIONS = ['economic', 'social', 'psychosocial'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface SustainabilityQuestion {
  id: string;
  dimension: Dimension;
  /** What the caseworker asks (English; the question id is what is stored). */
  text: string;
  /** Answer codes, worst first, each with its value. */
  answers: Readonly<Record<string, number>>;
}

export const SUSTAINABILITY_QUESTIONS: readonly SustainabilityQuestion[] = [
  { id: 'econ_income_source', dimension: 'economic', text: 'Does the person have a source of income?', answers: { none: 0, irregular: 0.5, regular: 1 } },
  { id: 'econ_employment', dimension: 'economic', text: 'What is the person\'s work situation?', answers: { unemployed: 0, informal: 0.5, formal_or_self_employed: 1 } },
  { id: 'econ_debt', dimension: 'economic', text: 'Can the person repay their debts (for example the journey\'s)?', answers: { cannot_repay: 0, repaying_with_difficulty: 0.5, no_debt_or_manageable: 1 } },
  { id: 'econ_food_security', dimension: 'economic', text: 'How often did the household skip meals last month?', answers: { often: 0, sometimes: 0.5, never: 1 } },
  { id: 'soc_housing', dimension: 'social', text: 'Where does the person live?', answers: { no_adequate_housing: 0, temporary: 0.5, adequate: 1 } },
  { id: 'soc_documents', dimension: 'social', text: 'Does the person hold their identity documents?', answers: { none: 0, some: 0.5, all: 1 } },
  { id: 'soc_health_access', dimension: 'social', text: 'Can the person get health care when needed?', answers: { no_access: 0, limited: 0.5, good: 1 } },
  { id: 'soc_children_schooling', dimension: 'social', text: 'Do the school-age children of the household attend school?', answers: { none_attend: 0, some_attend: 0.5, all_attend_or_no_children: 1 } },
  { id: 'psy_community_belonging', dimension: 'psychosocial', text: 'Does the person feel part of the community?', answers: { no: 0, somewhat: 0.5, yes: 1 } },
  { id: 'psy_support_network', dimension: 'psychosocial', text: 'Can the person count on family or friends?', answers: { none: 0, few: 0.5, strong: 1 } },
  { id: 'psy_distress', dimension: 'psychosocial', text: 'How often does the person feel distress (fear, sadness, sleeplessness)?', answers: { frequently: 0, sometimes: 0.5, rarely: 1 } },
  { id: 'psy_safety', dimension: 'psychosocial', text: 'Does the person feel safe where they live?', answers: { unsafe: 0, somewhat_safe: 0.5, safe: 1 } },
  { id: 'psy_remigration_intent', dimension: 'psychosocial', text: 'Does the person intend to migrate again?', answers: { yes: 0, undecided: 0.5, no: 1 } },
];

const BY_ID = new Map(SUSTAINABILITY_QUESTIONS.map((q) => [q.id, q]));

export type Answers = Readonly<Record<string, string>>;

export interface Scores {
  economic: number;
  social: number;
  psychosocial: number;
  composite: number;
}

export interface AnswerIssue {
  field: string;
  message: string;
  code: 'unknownQuestion' | 'unknownAnswer' | 'missingAnswer';
}

/** What is wrong with a set of answers: unknown questions or answer codes, unanswered questions. */
export function answerIssues(answers: Answers): AnswerIssue[] {
  const issues: AnswerIssue[] = [];
  for (const [id, answer] of Object.entries(answers)) {
    const q = BY_ID.get(id);
    if (!q) issues.push({ field: `answers.${id}`, message: 'is not a sustainability question', code: 'unknownQuestion' });
    else if (!Object.prototype.hasOwnProperty.call(q.answers, answer)) issues.push({ field: `answers.${id}`, message: `must be one of ${Object.keys(q.answers).join(', ')}`, code: 'unknownAnswer' });
  }
  for (const q of SUSTAINABILITY_QUESTIONS) if (!Object.prototype.hasOwnProperty.call(answers, q.id)) issues.push({ field: `answers.${q.id}`, message: 'must be answered', code: 'missingAnswer' });
  return issues;
}

/** Rounds to 4 decimals so equal answers always give equal, comparable numbers. */
function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** The scores of a complete, valid set of answers (check answerIssues first; throws otherwise). */
export function score(answers: Answers): Scores {
  const issues = answerIssues(answers);
  if (issues.length > 0) throw new Error(`invalid answers: ${issues.map((i) => i.field).join(', ')}`);
  const dimension = (d: Dimension) => {
    const qs = SUSTAINABILITY_QUESTIONS.filter((q) => q.dimension === d);
    return qs.reduce((sum, q) => sum + q.answers[answers[q.id]], 0) / qs.length;
  };
  const economic = dimension('economic');
  const social = dimension('social');
  const psychosocial = dimension('psychosocial');
  return { economic: round(economic), social: round(social), psychosocial: round(psychosocial), composite: round((economic + social + psychosocial) / 3) };
}

/**
 * IOM reads a composite of 0.66 or more as sustainable reintegration; below 0.33 as no
 * sustainability yet. What the outcome of a completed plan is expected to say.
 */
export function sustainabilityBand(composite: number): 'sustainable' | 'partial' | 'low' {
  if (composite >= 0.66) return 'sustainable';
  return composite >= 0.33 ? 'partial' : 'low';
}
