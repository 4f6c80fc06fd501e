// Questionnaire definitions: the JSON schema (as TypeScript types), its validator and the
// compiled form used to show questions, check answers and evaluate rules.
//
// Validation is exhaustive (every problem, each with its exact path such as
// `sections[1].questions[0].visibleWhen.and[0].var`) and total (any JSON in, never an exception).
import { compileExpression, type CompileScope, type Expr, type Issue, referencedQuestions, type RefScope, type VarInfo } from '@puente/rules';
import { FLAG_CODES, type FlagCode, GROUND_CODES, type GroundCode, PATHWAY_CODES, type PathwayCode, REQUIRED_LOCALES, RISK_LEVELS, type RiskLevel } from './catalog';

export type { Issue } from '@puente/rules';

/** Text in every locale of the questionnaire, e.g. `{ "es": "¿…?", "en": "…?", "fr": "…?", "pt": "…?" }`. */
export type LocalizedText = Readonly<Record<string, string>>;

export const QUESTION_TYPES = ['boolean', 'single', 'multi', 'number', 'date', 'text'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export interface OptionDefinition {
  value: string;
  label: LocalizedText;
  /** Multiple choice only: this option cannot be combined with others (e.g. "none of these"). */
  exclusive?: boolean;
}

/** What intake's events tell screening about a person, which a question may be answered from. */
export const PERSON_ATTRIBUTES = ['nationality', 'sex', 'age_band'] as const;
export type PersonAttribute = (typeof PERSON_ATTRIBUTES)[number];

export interface QuestionDefinition {
  id: string;
  type: QuestionType;
  text: LocalizedText;
  help?: LocalizedText;
  /** Guidance for interpreters working in indigenous languages (in every locale of the questionnaire). */
  interpreterNotes?: LocalizedText;
  /** Must be answered to complete, when shown. */
  required?: boolean;
  /** Display condition (a rule over other answers); shown when true or absent. */
  visibleWhen?: unknown;
  /** single, multi. */
  options?: OptionDefinition[];
  /** number: bounds and integer-only. */
  min?: number;
  max?: number;
  integer?: boolean;
  /** multi: how many options may be chosen. */
  minItems?: number;
  maxItems?: number;
  /** text: longest answer (default 500, at most 2000). */
  maxLength?: number;
  /** date: not later than the day of the answer. */
  notInFuture?: boolean;
  /**
   * single: answered from what intake already knows of the person (its events), not asked
   * again: `nationality` (option = the ISO 3166-1 alpha-2 code in lower case, `stateless` for XX,
   * else `other`), `sex` or `age_band` (option = intake's value). The caseworker may correct it.
   */
  fromPerson?: PersonAttribute;
}

export interface SectionDefinition {
  id: string;
  title: LocalizedText;
  visibleWhen?: unknown;
  questions: QuestionDefinition[];
}

export interface RuleDefinitions {
  flags: { flag: FlagCode; when: unknown }[];
  fearGrounds: { ground: GroundCode; when: unknown }[];
  risk: { level: RiskLevel; when: unknown }[];
  pathways: { pathway: PathwayCode; when: unknown }[];
}

export interface QuestionnaireDefinition {
  schemaVersion: 1;
  key: string;
  title: LocalizedText;
  description?: LocalizedText;
  /** Locales of every text; must include es, en, fr and pt. */
  locales: string[];
  sections: SectionDefinition[];
  rules: RuleDefinitions;
}

export interface CompiledQuestion {
  readonly id: string;
  readonly type: QuestionType;
  readonly required: boolean;
  readonly sectionId: string;
  /** Position in the questionnaire (definition order). */
  readonly index: number;
  readonly options: readonly string[];
  readonly exclusive: ReadonlySet<string>;
  readonly min?: number;
  readonly max?: number;
  readonly integer: boolean;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly maxLength: number;
  readonly notInFuture: boolean;
  readonly fromPerson?: PersonAttribute;
  readonly visibleWhen?: Expr;
  readonly sectionVisibleWhen?: Expr;
}

export interface CompiledRule<C extends string> {
  readonly code: C;
  readonly when: Expr;
}

export interface CompiledQuestionnaire {
  readonly key: string;
  /** The validated definition, deeply frozen. */
  readonly definition: QuestionnaireDefinition;
  /** Question ids in definition order. */
  readonly questionIds: readonly string[];
  readonly questions: ReadonlyMap<string, CompiledQuestion>;
  /** Question ids ordered so every question comes after the questions its display depends on. */
  readonly visibilityOrder: readonly string[];
  readonly rules: {
    readonly flags: readonly CompiledRule<FlagCode>[];
    readonly fearGrounds: readonly CompiledRule<GroundCode>[];
    readonly risk: readonly CompiledRule<RiskLevel>[];
    readonly pathways: readonly CompiledRule<PathwayCode>[];
  };
}

export const DEFINITION_LIMITS = {
  sections: 40,
  questionsPerSection: 100,
  questions: 400,
  options: 60,
  locales: 12,
  rulesPerList: 300,
  title: 200,
  text: 1000,
  label: 300,
  help: 2000,
  textAnswerDefault: 500,
  textAnswerMax: 2000,
} as const;

export const KEY_PATTERN = /^[a-z][a-z0-9-]{2,63}$/;
export const ID_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
export const OPTION_PATTERN = /^[a-z0-9][a-z0-9_]{0,63}$/;
const LOCALE_PATTERN = /^[a-z]{2,3}(-[A-Z]{2})?$/;

type Json = Record<string, unknown>;

/** An object literal's prototype (of any realm: JSON parsed in a VM context has its own), or none. */
function isPlainPrototype(proto: unknown): boolean {
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && isPlainPrototype(Object.getPrototypeOf(value));
}

function join(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

class DefinitionValidator {
  readonly issues: Issue[] = [];
  private locales: string[] = [...REQUIRED_LOCALES];

  constructor(private readonly base: string) {}

  path(rel: string): string {
    return join(this.base, rel);
  }

  issue(rel: string, code: string, message: string): void {
    this.issues.push({ path: this.path(rel), code, message });
  }

  /** Checks that `value` is an object with only the allowed keys and the required ones. */
  object(value: unknown, rel: string, allowed: readonly string[], required: readonly string[]): value is Json {
    if (!isObject(value)) {
      this.issue(rel || '(root)', 'invalid-type', 'Expected an object.');
      return false;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.issue(join(rel, key), 'unknown-property', `Unknown property "${key}". Allowed: ${allowed.join(', ')}.`);
    }
    for (const key of required) {
      if (value[key] === undefined) this.issue(join(rel, key), 'required', `"${key}" is required.`);
    }
    return true;
  }

  setLocales(value: unknown): void {
    if (!Array.isArray(value) || value.length === 0 || value.length > DEFINITION_LIMITS.locales) {
      this.issue('locales', 'invalid-type', `Expected a list of 1 to ${DEFINITION_LIMITS.locales} locale codes.`);
      return;
    }
    const seen = new Set<string>();
    value.forEach((l, i) => {
      if (typeof l !== 'string' || !LOCALE_PATTERN.test(l)) this.issue(`locales[${i}]`, 'invalid-locale', 'Expected a locale code such as "es" or "pt-BR".');
      else if (seen.has(l)) this.issue(`locales[${i}]`, 'duplicate', `Duplicate locale "${l}".`);
      else seen.add(l);
    });
    for (const required of REQUIRED_LOCALES) {
      if (!seen.has(required)) this.issue('locales', 'missing-locale', `Locales must include ${REQUIRED_LOCALES.join(', ')}; "${required}" is missing.`);
    }
    this.locales = [...new Set([...REQUIRED_LOCALES, ...seen])];
  }

  text(value: unknown, rel: string, max: number): void {
    if (!isObject(value)) {
      this.issue(rel, 'invalid-type', `Expected translations by locale (${this.locales.join(', ')}).`);
      return;
    }
    for (const locale of this.locales) {
      const t = value[locale];
      if (t === undefined) this.issue(join(rel, locale), 'missing-translation', `Missing the "${locale}" translation.`);
      else if (typeof t !== 'string' || t.trim().length === 0 || t.length > max) {
        this.issue(join(rel, locale), 'invalid-text', `Expected a non-empty text of at most ${max} characters.`);
      }
    }
    for (const key of Object.keys(value)) {
      if (!this.locales.includes(key)) this.issue(join(rel, key), 'unknown-locale', `"${key}" is not one of the questionnaire's locales.`);
    }
  }

  optionalBoolean(q: Json, key: string, rel: string): boolean {
    const v = q[key];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') {
      this.issue(join(rel, key), 'invalid-type', 'Expected true or false.');
      return false;
    }
    return v;
  }

  optionalInteger(q: Json, key: string, rel: string, min: number, max: number): number | undefined {
    const v = q[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.issue(join(rel, key), 'invalid-type', `Expected an integer from ${min} to ${max}.`);
      return undefined;
    }
    return v;
  }

  optionalNumber(q: Json, key: string, rel: string): number | undefined {
    const v = q[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.issue(join(rel, key), 'invalid-type', 'Expected a finite number.');
      return undefined;
    }
    return v;
  }
}

const QUESTION_KEYS = [
  'id',
  'type',
  'text',
  'help',
  'interpreterNotes',
  'required',
  'visibleWhen',
  'options',
  'min',
  'max',
  'integer',
  'minItems',
  'maxItems',
  'maxLength',
  'notInFuture',
  'fromPerson',
] as const;
const KEYS_BY_TYPE: Record<QuestionType, readonly string[]> = {
  boolean: [],
  single: ['options', 'fromPerson'],
  multi: ['options', 'minItems', 'maxItems'],
  number: ['min', 'max', 'integer'],
  date: ['notInFuture'],
  text: ['maxLength'],
};
const COMMON_QUESTION_KEYS = ['id', 'type', 'text', 'help', 'interpreterNotes', 'required', 'visibleWhen'];

interface PendingQuestion {
  id: string;
  rel: string;
  type: QuestionType;
  required: boolean;
  sectionId: string;
  sectionRel: string;
  options: string[];
  exclusive: Set<string>;
  min?: number;
  max?: number;
  integer: boolean;
  minItems?: number;
  maxItems?: number;
  maxLength: number;
  notInFuture: boolean;
  fromPerson?: PersonAttribute;
  visibleWhenJson?: unknown;
  sectionVisibleWhenJson?: unknown;
}

function varInfo(q: PendingQuestion): VarInfo {
  switch (q.type) {
    case 'boolean':
      return { type: 'boolean' };
    case 'number':
      return { type: 'number' };
    case 'single':
      return { type: 'choice', options: q.options };
    case 'multi':
      return { type: 'choices', options: q.options };
    case 'date':
      return { type: 'date' };
    case 'text':
      return { type: 'text' };
  }
}

function validateQuestion(v: DefinitionValidator, raw: unknown, rel: string, sectionId: string, sectionRel: string, sectionVisibleWhen: unknown): PendingQuestion | undefined {
  if (!v.object(raw, rel, QUESTION_KEYS, ['id', 'type', 'text'])) return undefined;
  const q = raw;
  const id = q.id;
  const idOk = typeof id === 'string' && ID_PATTERN.test(id);
  if (q.id !== undefined && !idOk) v.issue(`${rel}.id`, 'invalid-id', 'Expected an id of lower-case letters, digits and "_", starting with a letter (at most 64).');
  const type = q.type as QuestionType;
  const typeOk = QUESTION_TYPES.includes(type);
  if (q.type !== undefined && !typeOk) v.issue(`${rel}.type`, 'invalid-type', `Expected one of ${QUESTION_TYPES.join(', ')}.`);
  if (q.text !== undefined) v.text(q.text, `${rel}.text`, DEFINITION_LIMITS.text);
  if (q.help !== undefined) v.text(q.help, `${rel}.help`, DEFINITION_LIMITS.help);
  if (q.interpreterNotes !== undefined) v.text(q.interpreterNotes, `${rel}.interpreterNotes`, DEFINITION_LIMITS.help);
  const required = v.optionalBoolean(q, 'required', rel);
  if (!typeOk) return undefined;
  for (const key of Object.keys(q)) {
    if (!COMMON_QUESTION_KEYS.includes(key) && !KEYS_BY_TYPE[type].includes(key) && (QUESTION_KEYS as readonly string[]).includes(key)) {
      v.issue(`${rel}.${key}`, 'not-applicable', `"${key}" does not apply to ${type} questions.`);
    }
  }
  const pending: PendingQuestion = {
    id: idOk ? (id as string) : '',
    rel,
    type,
    required,
    sectionId,
    sectionRel,
    options: [],
    exclusive: new Set(),
    integer: false,
    maxLength: DEFINITION_LIMITS.textAnswerDefault,
    notInFuture: false,
    visibleWhenJson: q.visibleWhen,
    sectionVisibleWhenJson: sectionVisibleWhen,
  };
  if (type === 'single' || type === 'multi') {
    const options = q.options;
    if (!Array.isArray(options) || options.length < 2 || options.length > DEFINITION_LIMITS.options) {
      v.issue(`${rel}.options`, 'invalid-options', `A ${type === 'single' ? 'single' : 'multiple'} choice question needs 2 to ${DEFINITION_LIMITS.options} options.`);
    } else {
      options.forEach((o, i) => {
        const orel = `${rel}.options[${i}]`;
        if (!v.object(o, orel, type === 'multi' ? ['value', 'label', 'exclusive'] : ['value', 'label'], ['value', 'label'])) return;
        if (o.value !== undefined) {
          if (typeof o.value !== 'string' || !OPTION_PATTERN.test(o.value)) {
            v.issue(`${orel}.value`, 'invalid-option', 'Expected a value of lower-case letters, digits and "_" (at most 64).');
          } else if (pending.options.includes(o.value)) {
            v.issue(`${orel}.value`, 'duplicate', `Duplicate option "${o.value}".`);
          } else {
            pending.options.push(o.value);
            if (v.optionalBoolean(o, 'exclusive', orel)) pending.exclusive.add(o.value);
          }
        }
        if (o.label !== undefined) v.text(o.label, `${orel}.label`, DEFINITION_LIMITS.label);
      });
    }
  }
  if (type === 'multi') {
    pending.minItems = v.optionalInteger(q, 'minItems', rel, 1, DEFINITION_LIMITS.options);
    pending.maxItems = v.optionalInteger(q, 'maxItems', rel, 1, DEFINITION_LIMITS.options);
    if (pending.minItems !== undefined && pending.maxItems !== undefined && pending.minItems > pending.maxItems) {
      v.issue(`${rel}.minItems`, 'invalid-range', 'minItems is larger than maxItems.');
    }
  }
  if (type === 'number') {
    pending.min = v.optionalNumber(q, 'min', rel);
    pending.max = v.optionalNumber(q, 'max', rel);
    pending.integer = v.optionalBoolean(q, 'integer', rel);
    if (pending.min !== undefined && pending.max !== undefined && pending.min > pending.max) v.issue(`${rel}.min`, 'invalid-range', 'min is larger than max.');
  }
  if (type === 'text') {
    pending.maxLength = v.optionalInteger(q, 'maxLength', rel, 1, DEFINITION_LIMITS.textAnswerMax) ?? DEFINITION_LIMITS.textAnswerDefault;
  }
  if (type === 'date') pending.notInFuture = v.optionalBoolean(q, 'notInFuture', rel);
  if (type === 'single' && q.fromPerson !== undefined) {
    if (PERSON_ATTRIBUTES.includes(q.fromPerson as PersonAttribute)) pending.fromPerson = q.fromPerson as PersonAttribute;
    else v.issue(`${rel}.fromPerson`, 'invalid-value', `Expected one of ${PERSON_ATTRIBUTES.join(', ')}.`);
  }
  return pending;
}

/** Finds every loop in "question A's display depends on question B" and reports it once. */
function findDisplayCycles(
  v: DefinitionValidator,
  questions: Map<string, PendingQuestion>,
  deps: Map<string, { own: string[]; section: string[] }>,
): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const stack: string[] = [];
  const reported = new Set<string>();
  let cyclic = false;
  const visit = (id: string): void => {
    state.set(id, 'visiting');
    stack.push(id);
    const d = deps.get(id) ?? { own: [], section: [] };
    for (const next of [...d.own, ...d.section]) {
      if (!questions.has(next)) continue;
      const s = state.get(next);
      if (s === 'visiting') {
        cyclic = true;
        const loop = [...stack.slice(stack.indexOf(next)), next];
        const signature = [...new Set(loop)].sort().join(',');
        if (!reported.has(signature)) {
          reported.add(signature);
          const q = questions.get(id) as PendingQuestion;
          const where = d.own.includes(next) ? `${q.rel}.visibleWhen` : `${q.sectionRel}.visibleWhen`;
          v.issue(where, 'display-cycle', `Conditional display loops: ${loop.join(' → ')}. A question cannot depend, directly or through others, on itself.`);
        }
      } else if (s === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of questions.keys()) if (!state.has(id)) visit(id);
  return cyclic ? undefined : order;
}

function ruleScopes(
  kind: 'flags' | 'pathways',
  codes: readonly string[],
  index: number,
  positions: Map<string, number[]>,
  listRel: string,
  noun: string,
): RefScope {
  const allowed = new Set<string>();
  for (const [code, at] of positions) if (at.every((i) => i < index)) allowed.add(code);
  return {
    noun,
    allowed,
    whyNot: (name) => {
      const at = positions.get(name);
      if (at) {
        const later = at.find((i) => i >= index) as number;
        return `${noun[0].toUpperCase()}${noun.slice(1)} "${name}" is set by ${later === index ? 'this rule' : `a later rule (${listRel}[${later}])`}; a rule may only use ${kind} whose rules all come before it, so rules cannot loop.`;
      }
      return codes.includes(name) ? `No rule sets ${noun} "${name}".` : undefined;
    },
  };
}

/**
 * Validates a questionnaire definition and compiles it. Returns every issue (with paths under
 * `base`, e.g. `definition.sections[0].id`), or the compiled questionnaire when there are none.
 */
export function compileQuestionnaire(json: unknown, base = ''): { questionnaire?: CompiledQuestionnaire; issues: Issue[] } {
  const v = new DefinitionValidator(base);
  if (!v.object(json, '', ['schemaVersion', 'key', 'title', 'description', 'locales', 'sections', 'rules'], ['schemaVersion', 'key', 'title', 'locales', 'sections', 'rules'])) {
    return { issues: v.issues };
  }
  const def = json;
  if (def.schemaVersion !== undefined && def.schemaVersion !== 1) v.issue('schemaVersion', 'unsupported-schema', 'Only schemaVersion 1 is supported.');
  if (def.key !== undefined && (typeof def.key !== 'string' || !KEY_PATTERN.test(def.key))) {
    v.issue('key', 'invalid-key', 'Expected a key of lower-case letters, digits and "-" (3 to 64), starting with a letter.');
  }
  v.setLocales(def.locales);
  if (def.title !== undefined) v.text(def.title, 'title', DEFINITION_LIMITS.title);
  if (def.description !== undefined) v.text(def.description, 'description', DEFINITION_LIMITS.help);

  // Sections and questions.
  const questions = new Map<string, PendingQuestion>();
  const firstSeen = new Map<string, string>();
  const claimId = (id: string, rel: string) => {
    const previous = firstSeen.get(id);
    if (previous !== undefined) {
      v.issue(rel, 'duplicate-id', `Duplicate id "${id}" (first used at ${v.path(previous)}).`);
      return false;
    }
    firstSeen.set(id, rel);
    return true;
  };
  const sections = def.sections;
  if (def.sections !== undefined && (!Array.isArray(sections) || sections.length === 0 || sections.length > DEFINITION_LIMITS.sections)) {
    v.issue('sections', 'invalid-type', `Expected a list of 1 to ${DEFINITION_LIMITS.sections} sections.`);
  } else if (Array.isArray(sections)) {
    let total = 0;
    sections.forEach((s, si) => {
      const srel = `sections[${si}]`;
      if (!v.object(s, srel, ['id', 'title', 'visibleWhen', 'questions'], ['id', 'title', 'questions'])) return;
      let sectionId = '';
      if (s.id !== undefined) {
        if (typeof s.id !== 'string' || !ID_PATTERN.test(s.id)) v.issue(`${srel}.id`, 'invalid-id', 'Expected an id of lower-case letters, digits and "_", starting with a letter.');
        else if (claimId(s.id, `${srel}.id`)) sectionId = s.id;
      }
      if (s.title !== undefined) v.text(s.title, `${srel}.title`, DEFINITION_LIMITS.title);
      const qs = s.questions;
      if (qs === undefined) return;
      if (!Array.isArray(qs) || qs.length === 0 || qs.length > DEFINITION_LIMITS.questionsPerSection) {
        v.issue(`${srel}.questions`, 'invalid-type', `Expected a list of 1 to ${DEFINITION_LIMITS.questionsPerSection} questions.`);
        return;
      }
      qs.forEach((raw, qi) => {
        total += 1;
        if (total === DEFINITION_LIMITS.questions + 1) v.issue(`${srel}.questions[${qi}]`, 'too-many-questions', `A questionnaire has at most ${DEFINITION_LIMITS.questions} questions.`);
        const qrel = `${srel}.questions[${qi}]`;
        const q = validateQuestion(v, raw, qrel, sectionId, srel, s.visibleWhen);
        if (q && q.id !== '' && claimId(q.id, `${qrel}.id`)) questions.set(q.id, q);
      });
    });
  }

  // Display conditions: compile against every question, then look for loops.
  const displayScope: CompileScope = { vars: new Map([...questions.values()].map((q) => [q.id, varInfo(q)])), place: 'display condition' };
  const compiledDisplay = new Map<string, { own?: Expr; section?: Expr }>();
  const sectionConditions = new Map<string, Expr | undefined>();
  const deps = new Map<string, { own: string[]; section: string[] }>();
  let displayOk = true;
  for (const q of questions.values()) {
    let section: Expr | undefined;
    if (q.sectionVisibleWhenJson !== undefined) {
      if (!sectionConditions.has(q.sectionRel)) {
        const r = compileExpression(q.sectionVisibleWhenJson, v.path(`${q.sectionRel}.visibleWhen`), displayScope);
        v.issues.push(...r.issues);
        if (!r.expr) displayOk = false;
        sectionConditions.set(q.sectionRel, r.expr);
      }
      section = sectionConditions.get(q.sectionRel);
    }
    let own: Expr | undefined;
    if (q.visibleWhenJson !== undefined) {
      const r = compileExpression(q.visibleWhenJson, v.path(`${q.rel}.visibleWhen`), displayScope);
      v.issues.push(...r.issues);
      if (!r.expr) displayOk = false;
      own = r.expr;
    }
    compiledDisplay.set(q.id, { own, section });
    deps.set(q.id, { own: own ? referencedQuestions(own) : [], section: section ? referencedQuestions(section) : [] });
  }
  const visibilityOrder = displayOk ? findDisplayCycles(v, questions, deps) : undefined;

  // Rules.
  const rules = compileRules(v, def.rules, displayScope.vars);

  if (v.issues.length > 0 || !visibilityOrder || !rules) return { issues: v.issues };
  const definition = deepFreeze(structuredClone(def) as unknown as QuestionnaireDefinition);
  const compiledQuestions = new Map<string, CompiledQuestion>();
  [...questions.values()].forEach((q, index) => {
    const display = compiledDisplay.get(q.id) ?? {};
    compiledQuestions.set(
      q.id,
      Object.freeze({
        id: q.id,
        type: q.type,
        required: q.required,
        sectionId: q.sectionId,
        index,
        options: Object.freeze([...q.options]),
        exclusive: q.exclusive,
        min: q.min,
        max: q.max,
        integer: q.integer,
        minItems: q.minItems,
        maxItems: q.maxItems,
        maxLength: q.maxLength,
        notInFuture: q.notInFuture,
        ...(q.fromPerson ? { fromPerson: q.fromPerson } : {}),
        visibleWhen: display.own,
        sectionVisibleWhen: display.section,
      }),
    );
  });
  return {
    questionnaire: Object.freeze({
      key: definition.key,
      definition,
      questionIds: Object.freeze([...questions.keys()]),
      questions: compiledQuestions,
      visibilityOrder: Object.freeze(visibilityOrder),
      rules,
    }),
    issues: [],
  };
}

function compileRules(v: DefinitionValidator, raw: unknown, vars: ReadonlyMap<string, VarInfo>): CompiledQuestionnaire['rules'] | undefined {
  if (raw === undefined) return undefined;
  if (!v.object(raw, 'rules', ['flags', 'fearGrounds', 'risk', 'pathways'], ['flags', 'fearGrounds', 'risk', 'pathways'])) return undefined;
  const lists = {
    flags: { codeKey: 'flag', codes: FLAG_CODES as readonly string[], noun: 'flag' },
    fearGrounds: { codeKey: 'ground', codes: GROUND_CODES as readonly string[], noun: 'ground' },
    risk: { codeKey: 'level', codes: RISK_LEVELS as readonly string[], noun: 'risk level' },
    pathways: { codeKey: 'pathway', codes: PATHWAY_CODES as readonly string[], noun: 'pathway' },
  } as const;
  const entries = new Map<keyof typeof lists, { code: string; whenJson: unknown; rel: string; ok: boolean }[]>();
  for (const [name, spec] of Object.entries(lists) as [keyof typeof lists, (typeof lists)[keyof typeof lists]][]) {
    const list = raw[name];
    const rel = `rules.${name}`;
    const out: { code: string; whenJson: unknown; rel: string; ok: boolean }[] = [];
    entries.set(name, out);
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length > DEFINITION_LIMITS.rulesPerList) {
      v.issue(rel, 'invalid-type', `Expected a list of at most ${DEFINITION_LIMITS.rulesPerList} rules.`);
      continue;
    }
    list.forEach((r, i) => {
      const rrel = `${rel}[${i}]`;
      if (!v.object(r, rrel, [spec.codeKey, 'when'], [spec.codeKey, 'when'])) {
        out.push({ code: '', whenJson: undefined, rel: rrel, ok: false });
        return;
      }
      const code = r[spec.codeKey];
      let ok = r.when !== undefined;
      if (code !== undefined && (typeof code !== 'string' || !spec.codes.includes(code))) {
        v.issue(`${rrel}.${spec.codeKey}`, `unknown-${spec.noun.replace(/ /g, '-')}`, `Unknown ${spec.noun}. Known: ${spec.codes.join(', ')}.`);
        ok = false;
      }
      out.push({ code: typeof code === 'string' ? code : '', whenJson: r.when, rel: rrel, ok: ok && code !== undefined });
    });
  }
  const positions = (name: keyof typeof lists) => {
    const map = new Map<string, number[]>();
    (entries.get(name) ?? []).forEach((e, i) => {
      if (e.code !== '') map.set(e.code, [...(map.get(e.code) ?? []), i]);
    });
    return map;
  };
  const flagPositions = positions('flags');
  const pathwayPositions = positions('pathways');
  const allFlags: RefScope = {
    noun: 'flag',
    allowed: new Set(flagPositions.keys()),
    whyNot: (name) => ((FLAG_CODES as readonly string[]).includes(name) ? `No rule sets flag "${name}".` : undefined),
  };
  const riskScope: RefScope = { noun: 'risk level', allowed: new Set(RISK_LEVELS) };

  let failed = false;
  const compileList = <C extends string>(name: keyof typeof lists, scopeFor: (i: number) => CompileScope): CompiledRule<C>[] => {
    const out: CompiledRule<C>[] = [];
    (entries.get(name) ?? []).forEach((e, i) => {
      if (e.whenJson === undefined) {
        failed = true;
        return;
      }
      const r = compileExpression(e.whenJson, v.path(`${e.rel}.when`), scopeFor(i));
      v.issues.push(...r.issues);
      if (!r.expr || !e.ok) failed = true;
      else out.push({ code: e.code as C, when: r.expr });
    });
    return out;
  };
  const flags = compileList<FlagCode>('flags', (i) => ({
    vars,
    place: 'rule',
    refs: { flag: ruleScopes('flags', FLAG_CODES, i, flagPositions, v.path('rules.flags'), 'flag') },
  }));
  const fearGrounds = compileList<GroundCode>('fearGrounds', () => ({ vars, place: 'rule', refs: { flag: allFlags } }));
  const risk = compileList<RiskLevel>('risk', () => ({ vars, place: 'rule', refs: { flag: allFlags } }));
  const pathways = compileList<PathwayCode>('pathways', (i) => ({
    vars,
    place: 'rule',
    refs: {
      flag: allFlags,
      risk_at_least: riskScope,
      recommended: ruleScopes('pathways', PATHWAY_CODES, i, pathwayPositions, v.path('rules.pathways'), 'pathway'),
    },
  }));
  if (failed) return undefined;
  return Object.freeze({ flags, fearGrounds, risk, pathways });
}

/** A lone UTF-16 surrogate (not valid Unicode) or NUL: PostgreSQL cannot store either in JSON. */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** Deepest nesting a stored definition may have (a valid one needs far less). */
export const MAX_DEFINITION_DEPTH = 64;

/**
 * The first place in `json` that cannot be stored or hashed safely: a string (value or key) with
 * NUL or a lone surrogate, or nesting deeper than MAX_DEFINITION_DEPTH. Iterative, so any depth
 * is fine; undefined when there is none.
 */
export function unstorablePart(json: unknown, base: string): { path: string; code: 'invalid-text' | 'too-deep' } | undefined {
  const stack: [unknown, string, number][] = [[json, base, 0]];
  while (stack.length > 0) {
    const [value, path, depth] = stack.pop() as [unknown, string, number];
    if (typeof value === 'string') {
      if (!isStorableText(value)) return { path, code: 'invalid-text' };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEFINITION_DEPTH) return { path, code: 'too-deep' };
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push([item, `${path}[${i}]`, depth + 1]));
    } else {
      for (const [key, item] of Object.entries(value)) {
        if (!isStorableText(key)) return { path, code: 'invalid-text' };
        stack.push([item, join(path, key), depth + 1]);
      }
    }
  }
  return undefined;
}
