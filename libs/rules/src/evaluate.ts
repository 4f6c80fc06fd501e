import { type Expr, isIsoDate, type RefKind, type Scalar, type Value } from './expression';

/** What an expression is evaluated against. Everything it may depend on is here (no clock, no locale). */
export interface EvalEnv {
  /** The answer to a question, or undefined when it is unanswered (or hidden). */
  answer(questionId: string): Value | undefined;
  /** An outcome computed earlier (a flag, an earlier recommendation, the risk level). */
  ref(kind: RefKind, name: string): { value: boolean; reasons: readonly string[] };
  /** The reference date (`YYYY-MM-DD`) of `days_since` and `years_since`. */
  asOf: string;
}

/** A value and the answered questions that decided it. */
export interface Evaluation {
  value: Value;
  reasons: ReadonlySet<string>;
}

const NONE: ReadonlySet<string> = new Set();

function union(...sets: ReadonlySet<string>[]): ReadonlySet<string> {
  const nonEmpty = sets.filter((s) => s.size > 0);
  if (nonEmpty.length === 0) return NONE;
  if (nonEmpty.length === 1) return nonEmpty[0];
  const out = new Set<string>();
  for (const s of nonEmpty) for (const x of s) out.add(x);
  return out;
}

/** JSON Logic truthiness: null, false, 0, "" and [] are false. */
export function truthy(value: Value): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && value !== false && value !== 0 && value !== '';
}

/** Strict structural equality (no type coercion): 1 != "1", [a, b] == [a, b]. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => x === (b as readonly Scalar[])[i]);
  }
  return a === b;
}

function ordered(op: '<' | '<=' | '>' | '>=', a: Value, b: Value): boolean {
  const comparable = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
  if (!comparable) return false;
  const x = a as number | string;
  const y = b as number | string;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}

function includes(list: Value, item: Value): boolean {
  return Array.isArray(list) && !Array.isArray(item) && list.some((x) => x === item);
}

function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y, m - 1, d) / 86_400_000;
}

/** Whole days from `date` to `asOf` (negative when `date` is later); null unless both are dates. */
export function daysSince(date: Value, asOf: string): number | null {
  if (!isIsoDate(date) || !isIsoDate(asOf)) return null;
  return dayNumber(asOf) - dayNumber(date);
}

/** Completed years from `date` to `asOf` (an age from a birth date); null unless both are dates. */
export function yearsSince(date: Value, asOf: string): number | null {
  if (!isIsoDate(date) || !isIsoDate(asOf)) return null;
  const [y1, m1, d1] = date.split('-').map(Number);
  const [y2, m2, d2] = asOf.split('-').map(Number);
  let years = y2 - y1;
  if (m2 < m1 || (m2 === m1 && d2 < d1)) years -= 1;
  return years;
}

/**
 * Evaluates a compiled expression. Total: never throws for any answers (values of unexpected
 * types make comparisons false and counts 0), and deterministic: the result depends only on
 * `expr` and `env`.
 *
 * Reasons (the answered questions that decided the value) follow the logic: a true `and` is
 * explained by all its arguments, a false one by its first false argument; a true `or` by its
 * first true argument, a false one by all of them; other operators by all their arguments.
 */
export function evaluate(expr: Expr, env: EvalEnv): Evaluation {
  switch (expr.kind) {
    case 'literal':
      return { value: expr.value, reasons: NONE };
    case 'var': {
      const v = env.answer(expr.name);
      return v === undefined ? { value: null, reasons: NONE } : { value: v, reasons: new Set([expr.name]) };
    }
    case 'answered': {
      const v = env.answer(expr.name);
      return v === undefined ? { value: false, reasons: NONE } : { value: true, reasons: new Set([expr.name]) };
    }
    case 'ref': {
      const r = env.ref(expr.ref, expr.name);
      return { value: r.value, reasons: new Set(r.reasons) };
    }
    case 'op':
      return evaluateOp(expr.op, expr.args, env);
  }
}

function evaluateOp(op: Extract<Expr, { kind: 'op' }>['op'], args: readonly Expr[], env: EvalEnv): Evaluation {
  switch (op) {
    case 'and': {
      const all: ReadonlySet<string>[] = [];
      for (const arg of args) {
        const r = evaluate(arg, env);
        if (!truthy(r.value)) return { value: false, reasons: r.reasons };
        all.push(r.reasons);
      }
      return { value: true, reasons: union(...all) };
    }
    case 'or': {
      const all: ReadonlySet<string>[] = [];
      for (const arg of args) {
        const r = evaluate(arg, env);
        if (truthy(r.value)) return { value: true, reasons: r.reasons };
        all.push(r.reasons);
      }
      return { value: false, reasons: union(...all) };
    }
    case 'if': {
      const c = evaluate(args[0], env);
      const branch = evaluate(truthy(c.value) ? args[1] : args[2], env);
      return { value: branch.value, reasons: union(c.reasons, branch.reasons) };
    }
    default: {
      const rs = args.map((a) => evaluate(a, env));
      return { value: apply(op, rs.map((r) => r.value), env), reasons: union(...rs.map((r) => r.reasons)) };
    }
  }
}

function apply(op: Extract<Expr, { kind: 'op' }>['op'], v: Value[], env: EvalEnv): Value {
  switch (op) {
    case '==':
      return valuesEqual(v[0], v[1]);
    case '!=':
      return !valuesEqual(v[0], v[1]);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return ordered(op, v[0], v[1]);
    case 'not':
      return !truthy(v[0]);
    case 'in':
      return includes(v[1], v[0]);
    case 'contains':
      return includes(v[0], v[1]);
    case 'some': {
      const [a, b] = v;
      return Array.isArray(a) && Array.isArray(b) && a.some((x) => b.some((y) => x === y));
    }
    case 'count':
      return Array.isArray(v[0]) ? v[0].length : 0;
    case 'count_true':
      return v.filter(truthy).length;
    case 'days_since':
      return daysSince(v[0], env.asOf);
    case 'years_since':
      return yearsSince(v[0], env.asOf);
    case 'and':
    case 'or':
    case 'if':
      // Handled in evaluateOp (short-circuit); kept so this switch covers every operator.
      return null;
  }
}
