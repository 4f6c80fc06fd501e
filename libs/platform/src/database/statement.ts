/**
 * One SQL statement built from parts that different libraries own (the service's rows, the
 * outbox, the audit record, a person's data key), so a hot write commits atomically in one
 * round trip, without BEGIN/COMMIT round trips and without holding locks across them.
 *
 * Each part is a list of named CTEs whose bodies number their own parameters from $1; the
 * composer renumbers them. Bodies must not contain `$<digit>` anywhere but in placeholders
 * (no dollar-quoted strings). CTE names must be unique across the parts of one statement.
 */
export interface StatementPart {
  /** `[name, body]`, or `[name, body, 'materialized']` for a CTE that must be computed once, first. */
  readonly ctes: readonly (readonly [name: string, body: string, materialized?: 'materialized'])[];
  readonly params: readonly unknown[];
}

export interface ComposedStatement {
  text: string;
  values: unknown[];
}

const CTE_NAME = /^[a-z_][a-z0-9_]*$/;

/** Throws unless `name` can name a CTE (it is spliced into SQL text, never a parameter). */
export function assertCteName(name: string): void {
  if (!CTE_NAME.test(name)) throw new RangeError(`invalid CTE name: ${name}`);
}
const PLACEHOLDER = /\$(\d+)/g;

/** A CTE body cut at its placeholders: `text[0] $numbers[0] text[1] … text[n]`. */
interface CutBody {
  readonly text: readonly string[];
  readonly numbers: readonly number[];
}

/**
 * Bodies cut so far, by text. A hot write composes the same bodies on every request; renumbering
 * them with a regular expression each time made about 16 KB of garbage per registration (bench
 * intake's allocation profile). Bounded like the prepared statements' names: bodies past the
 * bound are cut each time.
 */
const cutBodies = new Map<string, CutBody>();
const MAX_CUT_BODIES = 512;

function cut(body: string): CutBody {
  let found = cutBodies.get(body);
  if (found === undefined) {
    const text: string[] = [];
    const numbers: number[] = [];
    let from = 0;
    for (const match of body.matchAll(PLACEHOLDER)) {
      text.push(body.slice(from, match.index));
      numbers.push(Number(match[1]));
      from = match.index + match[0].length;
    }
    text.push(body.slice(from));
    found = { text, numbers };
    if (cutBodies.size < MAX_CUT_BODIES) cutBodies.set(body, found);
  }
  return found;
}

function renumber(name: string, body: string, offset: number, paramCount: number): string {
  const { text, numbers } = cut(body);
  const pieces = new Array<string>(text.length + numbers.length);
  for (let i = 0; i < numbers.length; i++) {
    const index = numbers[i];
    if (index < 1 || index > paramCount) throw new RangeError(`CTE ${name} uses $${index} but its part has ${paramCount} parameter(s)`);
    pieces[2 * i] = text[i];
    pieces[2 * i + 1] = `$${index + offset}`;
  }
  pieces[pieces.length - 1] = text[text.length - 1];
  return pieces.join('');
}

/** `WITH <every part's CTEs> <select>`: `select` reads the CTEs by name (its own text has no parameters). */
export function composeStatement(parts: readonly StatementPart[], select: string): ComposedStatement {
  const names = new Set<string>();
  const ctes: string[] = [];
  const values: unknown[] = [];
  for (const part of parts) {
    const offset = values.length;
    for (const [name, body, materialized] of part.ctes) {
      assertCteName(name);
      if (names.has(name)) throw new RangeError(`CTE name used twice in one statement: ${name}`);
      names.add(name);
      ctes.push(`${name} AS ${materialized ? 'MATERIALIZED ' : ''}(${renumber(name, body, offset, part.params.length)})`);
    }
    values.push(...part.params);
  }
  if (/\$\d/.test(select)) throw new RangeError('the final SELECT of a composed statement takes no parameters');
  return { text: `WITH ${ctes.join(',\n')}\n${select}`, values };
}
