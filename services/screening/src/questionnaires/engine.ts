// What a compiled questionnaire does with answers: which questions are shown, whether answers
// are acceptable, whether a screening can be completed, and its outcome (flags, fear grounds,
// risk level, recommendations), each with the question ids that decided it. Pure functions.
import { type EvalEnv, evaluate, isIsoDate, type RefKind, truthy, type Value } from '@puente/rules';
import { FLAG_CODES, type FlagCode, GROUND_CODES, type GroundCode, type PathwayCode, riskRank, type RiskLevel } from './catalog';
import { type CompiledQuestion, type CompiledQuestionnaire, ID_PATTERN, isStorableText } from './definition';

/** One answer: yes/no, a number, a choice, a date (`YYYY-MM-DD`), free text, or several choices. */
export type AnswerValue = boolean | number | string | readonly string[];
export type Answers = Readonly<Record<string, AnswerValue>>;

/** An answer problem, at `answers.<questionId>`. */
export interface AnswerIssue {
  field: string;
  code: string;
  message: string;
}

export interface ScreeningOutcome {
  flags: { flag: FlagCode; reasons: string[] }[];
  /** Stated grounds of the fear of return (only meaningful with the fear_of_return flag). */
  fearGrounds: { ground: GroundCode; reasons: string[] }[];
  risk: { level: RiskLevel; reasons: string[] };
  /** In the questionnaire's order of priority. */
  recommendations: { pathway: PathwayCode; reasons: string[] }[];
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const NO_REF = { value: false, reasons: [] as string[] };

/** The questions shown for these answers. Hidden questions count as unanswered for every condition. */
export function visibleQuestions(q: CompiledQuestionnaire, answers: Answers, asOf: string): Set<string> {
  const visible = new Set<string>();
  const env: EvalEnv = {
    answer: (id) => (visible.has(id) && hasOwn(answers, id) ? (answers[id] as Value) : undefined),
    ref: () => NO_REF,
    asOf,
  };
  for (const id of q.visibilityOrder) {
    const cq = q.questions.get(id) as CompiledQuestion;
    const sectionShown = !cq.sectionVisibleWhen || truthy(evaluate(cq.sectionVisibleWhen, env).value);
    const shown = sectionShown && (!cq.visibleWhen || truthy(evaluate(cq.visibleWhen, env).value));
    if (shown) visible.add(id);
  }
  return visible;
}

/** Why `value` is not an acceptable answer to `question`, or undefined when it is. */
export function answerProblem(question: CompiledQuestion, value: unknown, asOf: string): { code: string; message: string } | undefined {
  const wrongType = (expected: string) => ({ code: 'wrong-type', message: `Expected ${expected}.` });
  switch (question.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : wrongType('true or false');
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return wrongType('a number');
      if (question.integer && !Number.isInteger(value)) return { code: 'not-integer', message: 'Expected a whole number.' };
      if (question.min !== undefined && value < question.min) return { code: 'out-of-range', message: `Expected at least ${question.min}.` };
      if (question.max !== undefined && value > question.max) return { code: 'out-of-range', message: `Expected at most ${question.max}.` };
      return undefined;
    }
    case 'single':
      if (typeof value !== 'string') return wrongType(`one of: ${question.options.join(', ')}`);
      return question.options.includes(value) ? undefined : { code: 'unknown-option', message: `Expected one of: ${question.options.join(', ')}.` };
    case 'multi': {
      if (!Array.isArray(value) || value.some((x) => typeof x !== 'string')) return wrongType(`a list of options (${question.options.join(', ')})`);
      const list = value as string[];
      const unknown = list.find((x) => !question.options.includes(x));
      if (unknown !== undefined) return { code: 'unknown-option', message: `Every item must be one of: ${question.options.join(', ')}.` };
      if (new Set(list).size !== list.length) return { code: 'duplicate-option', message: 'An option is listed twice.' };
      if (list.length === 0) return { code: 'empty', message: 'Choose at least one option (send null to clear the answer).' };
      if (list.length > 1 && list.some((x) => question.exclusive.has(x))) {
        return { code: 'exclusive-option', message: `${list.filter((x) => question.exclusive.has(x)).join(', ')} cannot be combined with other options.` };
      }
      if (question.minItems !== undefined && list.length < question.minItems) return { code: 'too-few', message: `Choose at least ${question.minItems}.` };
      if (question.maxItems !== undefined && list.length > question.maxItems) return { code: 'too-many', message: `Choose at most ${question.maxItems}.` };
      return undefined;
    }
    case 'date':
      if (!isIsoDate(value)) return wrongType('a date (YYYY-MM-DD)');
      if (value < '1900-01-01') return { code: 'out-of-range', message: 'Expected a date from 1900-01-01.' };
      if (question.notInFuture && value > asOf) return { code: 'in-future', message: 'The date cannot be in the future.' };
      return undefined;
    case 'text': {
      if (typeof value !== 'string') return wrongType('text');
      if (value.trim().length === 0) return { code: 'empty', message: 'Expected non-empty text (send null to clear the answer).' };
      if (value.length > question.maxLength) return { code: 'too-long', message: `Expected at most ${question.maxLength} characters.` };
      // Control characters other than tab and line breaks have no place in an answer.
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(value)) return { code: 'invalid-text', message: 'Control characters are not allowed.' };
      if (!isStorableText(value)) return { code: 'invalid-text', message: 'Text must be valid Unicode.' };
      return undefined;
    }
  }
}

function inQuestionOrder(q: CompiledQuestionnaire, entries: Map<string, AnswerValue>): Record<string, AnswerValue> {
  const out: Record<string, AnswerValue> = {};
  for (const id of q.questionIds) if (entries.has(id)) out[id] = entries.get(id) as AnswerValue;
  return out;
}

export interface AnswerPatchResult {
  /** The answers after the patch, in questionnaire order (only when there are no issues). */
  answers?: Record<string, AnswerValue>;
  /** Earlier answers removed because the patch hid their questions. */
  cleared: string[];
  issues: AnswerIssue[];
}

/**
 * Applies a partial set of answers (`null` clears one). Refuses, with one issue per answer:
 * unknown questions, answers of the wrong type or out of range, and answers to questions that
 * are hidden once the patch is applied. Earlier answers whose questions become hidden are
 * cleared (and listed), so stored answers always match what is shown.
 */
export function applyAnswerPatch(q: CompiledQuestionnaire, current: Answers, patch: Readonly<Record<string, unknown>>, asOf: string): AnswerPatchResult {
  const issues: AnswerIssue[] = [];
  const merged = new Map<string, AnswerValue>(Object.entries(current).filter(([id]) => q.questions.has(id)));
  for (const [id, value] of Object.entries(patch)) {
    if (!ID_PATTERN.test(id)) {
      // Not even shaped like a question id: not echoed back (it could be anything, of any length).
      issues.push({ field: 'answers', code: 'invalid-question-id', message: 'Question ids are lower-case letters, digits and "_" (at most 64), starting with a letter.' });
      continue;
    }
    const field = `answers.${id}`;
    const question = q.questions.get(id);
    if (!question) {
      issues.push({ field, code: 'unknown-question', message: 'This questionnaire has no such question.' });
      continue;
    }
    if (value === null) {
      merged.delete(id);
      continue;
    }
    const problem = answerProblem(question, value, asOf);
    if (problem) issues.push({ field, ...problem });
    else merged.set(id, Array.isArray(value) ? Object.freeze([...(value as string[])]) : (value as AnswerValue));
  }
  if (issues.length > 0) return { cleared: [], issues };
  const answers = inQuestionOrder(q, merged);
  const visible = visibleQuestions(q, answers, asOf);
  for (const [id, value] of Object.entries(patch)) {
    if (value !== null && !visible.has(id)) {
      issues.push({
        field: `answers.${id}`,
        code: 'hidden-question',
        message: 'This question is not shown for the other answers (its display condition is false), so it cannot be answered.',
      });
    }
  }
  if (issues.length > 0) return { cleared: [], issues };
  const cleared = Object.keys(answers).filter((id) => !visible.has(id));
  for (const id of cleared) delete answers[id];
  return { answers, cleared, issues };
}

/** Required questions that are shown and not answered, as issues at `answers.<id>`. */
export function completionIssues(q: CompiledQuestionnaire, answers: Answers, asOf: string): AnswerIssue[] {
  const visible = visibleQuestions(q, answers, asOf);
  const issues: AnswerIssue[] = [];
  for (const id of q.questionIds) {
    const question = q.questions.get(id) as CompiledQuestion;
    if (question.required && visible.has(id) && !hasOwn(answers, id)) {
      issues.push({ field: `answers.${id}`, code: 'required', message: 'This question is shown and must be answered.' });
    }
  }
  return issues;
}

/** The answers that count: those of shown questions, in questionnaire order. */
export function effectiveAnswers(q: CompiledQuestionnaire, answers: Answers, asOf: string): Record<string, AnswerValue> {
  const visible = visibleQuestions(q, answers, asOf);
  return inQuestionOrder(q, new Map(Object.entries(answers).filter(([id]) => visible.has(id) && q.questions.has(id))));
}

/**
 * Answers carried from an earlier screening into one on another questionnaire version: those
 * whose question still exists, accepts the value and is shown. Returns what was kept and dropped.
 */
export function carryOverAnswers(q: CompiledQuestionnaire, previous: Answers, asOf: string): { answers: Record<string, AnswerValue>; dropped: string[] } {
  const kept = new Map<string, AnswerValue>();
  for (const [id, value] of Object.entries(previous)) {
    const question = q.questions.get(id);
    if (question && !answerProblem(question, value, asOf)) kept.set(id, value);
  }
  const answers = effectiveAnswers(q, inQuestionOrder(q, kept), asOf);
  return { answers, dropped: Object.keys(previous).filter((id) => !hasOwn(answers, id)) };
}

interface OutcomeState {
  value: boolean;
  /** Reasons of the rules that matched. */
  whyTrue: Set<string>;
  /** Reasons of every rule (explains a false outcome). */
  whyFalse: Set<string>;
  first: number;
}

/**
 * Evaluates the rules on the shown answers, as of `asOf`. Total and deterministic: the outcome
 * depends only on the questionnaire, the answers and the date, never on the clock or key order.
 */
export function evaluateOutcome(q: CompiledQuestionnaire, answers: Answers, asOf: string): ScreeningOutcome {
  const visible = visibleQuestions(q, answers, asOf);
  const order = new Map(q.questionIds.map((id, i) => [id, i]));
  const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  const flags = new Map<string, OutcomeState>();
  const pathways = new Map<string, OutcomeState>();
  let risk: { level: RiskLevel; reasons: Set<string> } = { level: 'low', reasons: new Set() };

  const lookup = (states: Map<string, OutcomeState>, name: string) => {
    const s = states.get(name);
    if (!s) return NO_REF;
    return { value: s.value, reasons: [...(s.value ? s.whyTrue : s.whyFalse)] };
  };
  const env: EvalEnv = {
    answer: (id) => (visible.has(id) && hasOwn(answers, id) ? (answers[id] as Value) : undefined),
    ref: (kind: RefKind, name: string) => {
      if (kind === 'flag') return lookup(flags, name);
      if (kind === 'recommended') return lookup(pathways, name);
      const value = riskRank(risk.level) >= riskRank(name as RiskLevel);
      return { value, reasons: value ? [...risk.reasons] : [] };
    },
    asOf,
  };
  const run = (rules: readonly { code: string; when: Parameters<typeof evaluate>[0] }[], states: Map<string, OutcomeState>) => {
    rules.forEach((rule, i) => {
      const r = evaluate(rule.when, env);
      const s = states.get(rule.code) ?? { value: false, whyTrue: new Set<string>(), whyFalse: new Set<string>(), first: i };
      states.set(rule.code, s);
      for (const id of r.reasons) s.whyFalse.add(id);
      if (truthy(r.value)) {
        s.value = true;
        for (const id of r.reasons) s.whyTrue.add(id);
      }
    });
  };

  run(q.rules.flags, flags);
  const grounds = new Map<string, OutcomeState>();
  run(q.rules.fearGrounds, grounds);
  for (const rule of q.rules.risk) {
    const r = evaluate(rule.when, env);
    if (!truthy(r.value)) continue;
    if (riskRank(rule.code) > riskRank(risk.level)) risk = { level: rule.code, reasons: new Set(r.reasons) };
    else if (rule.code === risk.level) for (const id of r.reasons) risk.reasons.add(id);
  }
  run(q.rules.pathways, pathways);

  const matched = <C extends string>(states: Map<string, OutcomeState>, catalogOrder?: readonly string[]) =>
    [...states.entries()]
      .filter(([, s]) => s.value)
      .sort(([a, sa], [b, sb]) => (catalogOrder ? catalogOrder.indexOf(a) - catalogOrder.indexOf(b) : sa.first - sb.first))
      .map(([code, s]) => ({ code: code as C, reasons: sorted(s.whyTrue) }));

  return {
    flags: matched<FlagCode>(flags, FLAG_CODES).map(({ code, reasons }) => ({ flag: code, reasons })),
    fearGrounds: matched<GroundCode>(grounds, GROUND_CODES).map(({ code, reasons }) => ({ ground: code, reasons })),
    risk: { level: risk.level, reasons: sorted(risk.reasons) },
    recommendations: matched<PathwayCode>(pathways).map(({ code, reasons }) => ({ pathway: code, reasons })),
  };
}

/** What intake's events tell screening about the person (registry values, REST spellings). */
export interface KnownPerson {
  /** ISO 3166-1 alpha-2, XX when stateless or unknown. */
  nationality: string;
  sex: string;
  ageBand: string;
}

/**
 * The answers a questionnaire takes from what intake knows of the person (questions with
 * `fromPerson`), so they are not asked again; only values that are options of the question.
 */
export function answersFromPerson(q: CompiledQuestionnaire, person: KnownPerson): Record<string, AnswerValue> {
  const answers: Record<string, AnswerValue> = {};
  for (const question of q.questions.values()) {
    if (!question.fromPerson) continue;
    const candidates =
      question.fromPerson === 'nationality'
        ? person.nationality === 'XX'
          ? ['stateless', 'other']
          : [person.nationality.toLowerCase(), 'other']
        : [question.fromPerson === 'sex' ? person.sex : person.ageBand];
    const value = candidates.find((c) => question.options.includes(c));
    if (value !== undefined) answers[question.id] = value;
  }
  return answers;
}
