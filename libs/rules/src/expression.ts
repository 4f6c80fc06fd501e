// Puente's rule language: a small, declarative subset in the spirit of JSON Logic
// (`{ "operator": [arguments] }`), compiled into a typed tree before use. Screening questionnaires
// use it over answers; the referral-routing directory uses it for program eligibility over a
// case's attributes (the "questions" are then age band, sex, nationality, location, household).
//
// Why our own evaluator rather than a JSON Logic library: we need (1) totality — evaluation of a
// compiled rule never throws, whatever the answers, (2) determinism — no `Date.now()`, locale or
// object-key-order dependence (the reference date is an input), (3) no code execution or
// prototype access (operators are looked up in a fixed Map, `var` only reads question answers),
// (4) exact error paths at publish time (`rules.flags[3].when.and[1].var`) and static checks
// against the questionnaire (unknown questions, values that are not options of a question,
// free-text answers used in rules), and (5) explanations: every result carries the question ids
// that decided it. A general-purpose library offers none of (4)-(5) and coerces types.

/** A scalar value: an answer to a boolean, number, single-choice, date or text question. */
export type Scalar = null | boolean | number | string;
/** Any value a rule handles: a scalar or a list of scalars (multiple-choice answers, literal lists). */
export type Value = Scalar | readonly Scalar[];

/** Outcomes a rule may refer to (resolved by the caller, e.g. flags computed by earlier rules). */
export const REF_KINDS = ['flag', 'recommended', 'risk_at_least'] as const;
export type RefKind = (typeof REF_KINDS)[number];

export const OPERATORS = [
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'and',
  'or',
  'not',
  'in',
  'contains',
  'some',
  'count',
  'count_true',
  'if',
  'days_since',
  'years_since',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** A compiled expression. Built only by compileExpression (or tests), so it is always well formed. */
export type Expr =
  | { readonly kind: 'literal'; readonly value: Value }
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'answered'; readonly name: string }
  | { readonly kind: 'ref'; readonly ref: RefKind; readonly name: string }
  | { readonly kind: 'op'; readonly op: Operator; readonly args: readonly Expr[] };

/** Static type of a question's answer, as far as rules care. */
export type VarType = 'boolean' | 'number' | 'choice' | 'choices' | 'date' | 'text';

export interface VarInfo {
  readonly type: VarType;
  /** Option values of a single (`choice`) or multiple (`choices`) choice question. */
  readonly options?: readonly string[];
}

export interface RefScope {
  /** Names that may be referenced here. */
  readonly allowed: ReadonlySet<string>;
  /** Explains a name that exists but is not allowed here (e.g. defined by a later rule), or undefined if unknown. */
  readonly whyNot?: (name: string) => string | undefined;
  /** Noun for messages: `flag`, `pathway`, `risk level`. */
  readonly noun: string;
}

export interface CompileScope {
  /** Questions a rule may read, by id. */
  readonly vars: ReadonlyMap<string, VarInfo>;
  /** Outcome references allowed in this place; kinds absent here are rejected. */
  readonly refs?: Partial<Record<RefKind, RefScope>>;
  /** Where this expression is (for messages): `display condition`, `rule`. */
  readonly place?: string;
}

/** One problem found at compile time; `path` is exact, e.g. `rules.flags[0].when.and[1].var`. */
export interface Issue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export const LIMITS = {
  /** Deepest nesting of operators. */
  maxDepth: 24,
  /** Most nodes (operators, variables, literals) in one expression. */
  maxNodes: 1000,
  /** Most arguments of a variadic operator (and, or, count_true). */
  maxArgs: 64,
  /** Longest literal string. */
  maxString: 200,
  /** Longest literal list. */
  maxList: 200,
} as const;

const ARITY: ReadonlyMap<string, { min: number; max: number }> = new Map([
  ['==', { min: 2, max: 2 }],
  ['!=', { min: 2, max: 2 }],
  ['<', { min: 2, max: 2 }],
  ['<=', { min: 2, max: 2 }],
  ['>', { min: 2, max: 2 }],
  ['>=', { min: 2, max: 2 }],
  ['and', { min: 1, max: LIMITS.maxArgs }],
  ['or', { min: 1, max: LIMITS.maxArgs }],
  ['not', { min: 1, max: 1 }],
  ['in', { min: 2, max: 2 }],
  ['contains', { min: 2, max: 2 }],
  ['some', { min: 2, max: 2 }],
  ['count', { min: 1, max: 1 }],
  ['count_true', { min: 1, max: LIMITS.maxArgs }],
  ['if', { min: 3, max: 3 }],
  ['days_since', { min: 1, max: 1 }],
  ['years_since', { min: 1, max: 1 }],
]);

const NAME_OPERATORS: ReadonlySet<string> = new Set(['var', 'answered', ...REF_KINDS]);

/** `YYYY-MM-DD`, a real calendar date. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && y >= 1;
}

/** An object literal's prototype (of any realm: JSON parsed in a VM context has its own), or none. */
function isPlainPrototype(proto: unknown): boolean {
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && isPlainPrototype(Object.getPrototypeOf(value));
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Static type of an expression's value, for catching mistakes at publish time. */
type StaticType = 'boolean' | 'number' | 'string' | 'date' | 'list' | 'any';

interface Compiled {
  expr: Expr;
  type: StaticType;
  /** Options when the value is an answer to a choice question (for checking literals). */
  options?: readonly string[];
  /** Question id when the expression is just `var`. */
  varName?: string;
}

class Compiler {
  readonly issues: Issue[] = [];
  private nodes = 0;
  private tooBig = false;

  constructor(private readonly scope: CompileScope) {}

  private issue(path: string, code: string, message: string): void {
    this.issues.push({ path, code, message });
  }

  compile(json: unknown, path: string, depth: number): Compiled | undefined {
    this.nodes += 1;
    if (this.nodes > LIMITS.maxNodes) {
      if (!this.tooBig) this.issue(path, 'expression-too-large', `An expression may have at most ${LIMITS.maxNodes} nodes.`);
      this.tooBig = true;
      return undefined;
    }
    if (depth > LIMITS.maxDepth) {
      this.issue(path, 'expression-too-deep', `Expressions may be nested at most ${LIMITS.maxDepth} levels deep.`);
      return undefined;
    }
    if (json === null || typeof json === 'boolean' || typeof json === 'number' || typeof json === 'string') {
      const value = this.scalar(json, path);
      if (value === undefined) return undefined;
      return { expr: { kind: 'literal', value }, type: literalType(value) };
    }
    if (Array.isArray(json)) return this.list(json, path);
    if (!isPlainObject(json)) {
      this.issue(path, 'invalid-expression', `Expected a value or an operator object, not ${describeJson(json)}.`);
      return undefined;
    }
    const keys = Object.keys(json);
    if (keys.length !== 1) {
      this.issue(path, 'invalid-expression', `An operator object has exactly one key (the operator), not ${keys.length}.`);
      return undefined;
    }
    const op = keys[0];
    const raw = json[op];
    if (NAME_OPERATORS.has(op)) return this.named(op, raw, `${path}.${op}`);
    const arity = ARITY.get(op);
    if (!arity) {
      this.issue(`${path}.${op}`, 'unknown-operator', `Unknown operator "${truncate(op)}". Known: ${[...ARITY.keys(), ...NAME_OPERATORS].join(', ')}.`);
      return undefined;
    }
    const rawArgs: unknown[] = Array.isArray(raw) ? raw : [raw];
    const argPath = (i: number) => (Array.isArray(raw) ? `${path}.${op}[${i}]` : `${path}.${op}`);
    if (rawArgs.length < arity.min || rawArgs.length > arity.max) {
      const expected = arity.min === arity.max ? `${arity.min}` : `${arity.min} to ${arity.max}`;
      this.issue(`${path}.${op}`, 'wrong-arity', `"${op}" takes ${expected} argument${arity.max === 1 ? '' : 's'}, not ${rawArgs.length}.`);
      return undefined;
    }
    const args: Compiled[] = [];
    let failed = false;
    rawArgs.forEach((a, i) => {
      const c = this.compile(a, argPath(i), depth + 1);
      if (c) args.push(c);
      else failed = true;
    });
    if (failed) return undefined;
    return this.typeCheck(op as Operator, args, `${path}.${op}`, argPath);
  }

  private scalar(value: unknown, path: string): Scalar | undefined {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      this.issue(path, 'invalid-literal', 'Numbers must be finite.');
      return undefined;
    }
    if (typeof value === 'string' && value.length > LIMITS.maxString) {
      this.issue(path, 'invalid-literal', `Literal strings are at most ${LIMITS.maxString} characters.`);
      return undefined;
    }
    if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
    this.issue(path, 'invalid-literal', `Expected a string, number, boolean or null, not ${describeJson(value)}.`);
    return undefined;
  }

  private list(json: unknown[], path: string): Compiled | undefined {
    if (json.length > LIMITS.maxList) {
      this.issue(path, 'invalid-literal', `Literal lists have at most ${LIMITS.maxList} items.`);
      return undefined;
    }
    const items: Scalar[] = [];
    let failed = false;
    json.forEach((item, i) => {
      this.nodes += 1;
      const v = this.scalar(item, `${path}[${i}]`);
      if (v === undefined) failed = true;
      else items.push(v);
    });
    if (failed) return undefined;
    return { expr: { kind: 'literal', value: Object.freeze(items) }, type: 'list' };
  }

  private named(op: string, raw: unknown, path: string): Compiled | undefined {
    const name = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
    if (typeof name !== 'string' || name.length === 0 || name.length > 128) {
      this.issue(path, 'invalid-reference', `"${op}" takes one name (a string).`);
      return undefined;
    }
    if (op === 'var' || op === 'answered') {
      const info = this.scope.vars.get(name);
      if (!info) {
        this.issue(path, 'unknown-question', `Unknown question "${truncate(name)}".`);
        return undefined;
      }
      if (op === 'answered') return { expr: { kind: 'answered', name }, type: 'boolean' };
      if (info.type === 'text') {
        this.issue(
          path,
          'free-text-in-rule',
          `Question "${name}" is free text: rules may only test whether it is answered ({"answered": "${name}"}), so results stay explainable and independent of language.`,
        );
        return undefined;
      }
      return { expr: { kind: 'var', name }, type: varStaticType(info.type), options: info.options, varName: name };
    }
    const ref = op as RefKind;
    const refScope = this.scope.refs?.[ref];
    if (!refScope) {
      this.issue(path, 'reference-not-allowed', `"${op}" cannot be used in a ${this.scope.place ?? 'expression'}.`);
      return undefined;
    }
    if (!refScope.allowed.has(name)) {
      const why = refScope.whyNot?.(name);
      this.issue(path, why ? 'reference-not-allowed' : `unknown-${refScope.noun.replace(/ /g, '-')}`, why ?? `Unknown ${refScope.noun} "${truncate(name)}".`);
      return undefined;
    }
    return { expr: { kind: 'ref', ref, name }, type: 'boolean' };
  }

  /** Catches comparisons that can never be true: wrong types, values that are not options. */
  private typeCheck(op: Operator, args: Compiled[], path: string, argPath: (i: number) => string): Compiled {
    const expr: Expr = { kind: 'op', op, args: args.map((a) => a.expr) };
    const [a, b] = args;
    switch (op) {
      case '==':
      case '!=':
        this.checkComparable(a, b, argPath(1));
        this.checkComparable(b, a, argPath(0));
        return { expr, type: 'boolean' };
      case '<':
      case '<=':
      case '>':
      case '>=':
        for (const [i, x] of args.entries()) {
          if (x.type === 'boolean' || x.type === 'list') {
            this.issue(argPath(i), 'type-mismatch', `"${op}" compares numbers or dates, not ${x.type === 'list' ? 'lists' : 'booleans'}.`);
          }
        }
        this.checkOrdered(a, b, argPath(1));
        this.checkOrdered(b, a, argPath(0));
        return { expr, type: 'boolean' };
      case 'in':
        if (b.type !== 'list' && b.type !== 'any') this.issue(argPath(1), 'type-mismatch', '"in" looks for its first argument in a list.');
        this.checkMembers(a, b, argPath(1));
        return { expr, type: 'boolean' };
      case 'contains':
        if (a.type !== 'list' && a.type !== 'any') this.issue(argPath(0), 'type-mismatch', '"contains" looks in a list (a multiple-choice answer).');
        this.checkElementOf(b, a, argPath(1));
        return { expr, type: 'boolean' };
      case 'some':
        for (const [i, x] of args.entries()) {
          if (x.type !== 'list' && x.type !== 'any') this.issue(argPath(i), 'type-mismatch', '"some" compares two lists.');
        }
        this.checkListOptions(b, a, argPath(1));
        this.checkListOptions(a, b, argPath(0));
        return { expr, type: 'boolean' };
      case 'count':
        if (a.type !== 'list' && a.type !== 'any') this.issue(argPath(0), 'type-mismatch', '"count" counts the items of a list (a multiple-choice answer).');
        return { expr, type: 'number' };
      case 'count_true':
        return { expr, type: 'number' };
      case 'days_since':
      case 'years_since':
        if (a.type !== 'date' && a.type !== 'string' && a.type !== 'any') this.issue(argPath(0), 'type-mismatch', `"${op}" takes a date (YYYY-MM-DD).`);
        if (a.expr.kind === 'literal' && !isIsoDate(a.expr.value)) this.issue(argPath(0), 'invalid-literal', `"${op}" takes a date (YYYY-MM-DD).`);
        return { expr, type: 'number' };
      case 'if':
        return { expr, type: args[1].type === args[2].type ? args[1].type : 'any' };
      case 'and':
      case 'or':
      case 'not':
        return { expr, type: 'boolean' };
    }
    // Unreachable: every operator is handled above; keeps the function total for the compiler.
    return { expr, type: 'any' };
  }

  /** `x == literal` where x is an answer: the literal must be of the answer's type (and an option). */
  private checkComparable(x: Compiled, other: Compiled, otherPath: string): void {
    if (x.varName === undefined || other.expr.kind !== 'literal') return;
    const literal = other.expr.value;
    if (literal === null) return;
    const expected = x.type;
    if (expected === 'list') {
      if (!Array.isArray(literal)) this.issue(otherPath, 'type-mismatch', `"${x.varName}" has a list of choices as its answer; compare it with a list.`);
      else this.checkListOptions(other, x, otherPath);
      return;
    }
    const actual = literalType(literal);
    const compatible = expected === actual || (expected === 'date' && actual === 'string' && isIsoDate(literal));
    if (!compatible) {
      this.issue(otherPath, 'type-mismatch', `"${x.varName}" has ${articleFor(expected)} answer; this value can never be equal to it.`);
      return;
    }
    if (x.options && typeof literal === 'string' && !x.options.includes(literal)) {
      this.issue(otherPath, 'unknown-option', `"${truncate(literal)}" is not an option of "${x.varName}" (options: ${x.options.join(', ')}).`);
    }
  }

  private checkOrdered(x: Compiled, other: Compiled, otherPath: string): void {
    if (x.varName === undefined || other.expr.kind !== 'literal') return;
    const literal = other.expr.value;
    if (x.type === 'number' && typeof literal !== 'number') {
      this.issue(otherPath, 'type-mismatch', `"${x.varName}" is a number; compare it with a number.`);
    } else if (x.type === 'date' && !isIsoDate(literal)) {
      this.issue(otherPath, 'type-mismatch', `"${x.varName}" is a date; compare it with a date (YYYY-MM-DD).`);
    } else if (x.type === 'string' && typeof literal !== 'string') {
      this.issue(otherPath, 'type-mismatch', `"${x.varName}" is a choice; compare it with a string.`);
    }
  }

  /** `needle in [literal list]`: each listed string must be an option of the needle's question. */
  private checkMembers(needle: Compiled, haystack: Compiled, haystackPath: string): void {
    if (needle.varName === undefined || haystack.expr.kind !== 'literal' || !Array.isArray(haystack.expr.value)) return;
    (haystack.expr.value as Scalar[]).forEach((item, i) => {
      if (item === null) return;
      if (needle.options) {
        if (typeof item !== 'string' || !needle.options.includes(item)) {
          this.issue(`${haystackPath}[${i}]`, 'unknown-option', `${JSON.stringify(item)} is not an option of "${needle.varName}".`);
        }
      } else if (needle.type !== 'any' && needle.type !== literalType(item) && !(needle.type === 'date' && isIsoDate(item))) {
        this.issue(`${haystackPath}[${i}]`, 'type-mismatch', `"${needle.varName}" has ${articleFor(needle.type)} answer; this item never matches it.`);
      }
    });
  }

  /** `contains(list answer, literal)`: the literal must be an option of the list's question. */
  private checkElementOf(element: Compiled, list: Compiled, elementPath: string): void {
    if (list.varName === undefined || !list.options || element.expr.kind !== 'literal') return;
    const v = element.expr.value;
    if (typeof v !== 'string' || !list.options.includes(v)) {
      this.issue(elementPath, 'unknown-option', `${truncate(JSON.stringify(v))} is not an option of "${list.varName}".`);
    }
  }

  /** A literal list compared with a choice answer: each item must be an option. */
  private checkListOptions(literal: Compiled, answer: Compiled, literalPath: string): void {
    if (answer.varName === undefined || !answer.options || literal.expr.kind !== 'literal' || !Array.isArray(literal.expr.value)) return;
    (literal.expr.value as Scalar[]).forEach((item, i) => {
      if (typeof item !== 'string' || !answer.options?.includes(item)) {
        this.issue(`${literalPath}[${i}]`, 'unknown-option', `${truncate(JSON.stringify(item))} is not an option of "${answer.varName}".`);
      }
    });
  }
}

function varStaticType(type: VarType): StaticType {
  switch (type) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'choice':
      return 'string';
    case 'choices':
      return 'list';
    case 'date':
      return 'date';
    case 'text':
      return 'any';
  }
}

function literalType(value: Value): StaticType {
  if (value === null) return 'any';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  return 'string';
}

function articleFor(type: StaticType): string {
  switch (type) {
    case 'boolean':
      return 'a yes/no';
    case 'number':
      return 'a number';
    case 'string':
      return 'a single-choice';
    case 'date':
      return 'a date';
    case 'list':
      return 'a multiple-choice';
    default:
      return 'an';
  }
}

function truncate(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * Compiles a JSON rule into an Expr, or reports every problem with its exact path. Never
 * throws: any JSON value (or any JavaScript value) yields either an expression or issues.
 */
export function compileExpression(json: unknown, path: string, scope: CompileScope): { expr?: Expr; issues: Issue[] } {
  const compiler = new Compiler(scope);
  const compiled = compiler.compile(json, path, 1);
  if (compiler.issues.length > 0 || !compiled) return { issues: compiler.issues };
  return { expr: compiled.expr, issues: [] };
}

/** The JSON form of a compiled expression (compileExpression(toJson(e)) gives e back). */
export function toJson(expr: Expr): unknown {
  switch (expr.kind) {
    case 'literal':
      return Array.isArray(expr.value) ? [...(expr.value as Scalar[])] : expr.value;
    case 'var':
      return { var: expr.name };
    case 'answered':
      return { answered: expr.name };
    case 'ref':
      return { [expr.ref]: expr.name };
    case 'op':
      return { [expr.op]: expr.args.map(toJson) };
  }
}

/** Question ids an expression reads (through `var` or `answered`), in first-seen order. */
export function referencedQuestions(expr: Expr): string[] {
  const seen = new Set<string>();
  const walk = (e: Expr): void => {
    if (e.kind === 'var' || e.kind === 'answered') seen.add(e.name);
    else if (e.kind === 'op') e.args.forEach(walk);
  };
  walk(expr);
  return [...seen];
}

/** Outcome references of an expression, e.g. `[{ ref: 'flag', name: 'fear_of_return' }]`. */
export function referencedOutcomes(expr: Expr): { ref: RefKind; name: string }[] {
  const out: { ref: RefKind; name: string }[] = [];
  const walk = (e: Expr): void => {
    if (e.kind === 'ref') out.push({ ref: e.ref, name: e.name });
    else if (e.kind === 'op') e.args.forEach(walk);
  };
  walk(expr);
  return out;
}
