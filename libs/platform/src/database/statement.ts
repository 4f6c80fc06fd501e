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
      const renumbered = body.replace(PLACEHOLDER, (_, n: string) => {
        const index = Number(n);
        if (index < 1 || index > part.params.length) throw new RangeError(`CTE ${name} uses $${n} but its part has ${part.params.length} parameter(s)`);
        return `$${index + offset}`;
      });
      ctes.push(`${name} AS ${materialized ? 'MATERIALIZED ' : ''}(${renumbered})`);
    }
    values.push(...part.params);
  }
  if (/\$\d/.test(select)) throw new RangeError('the final SELECT of a composed statement takes no parameters');
  return { text: `WITH ${ctes.join(',\n')}\n${select}`, values };
}
