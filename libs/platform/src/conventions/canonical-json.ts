import { createHash } from 'node:crypto';

function canonical(value: unknown, inArray: boolean): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonical((value as { toJSON: () => unknown }).toJSON(), inArray);
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      // JSON.stringify gives the shortest round-trip form (RFC 8785); -0 → 0, NaN/±Infinity → null.
      return JSON.stringify(value);
    case 'bigint':
      throw new TypeError('BigInt values cannot be serialized as JSON');
    case 'undefined':
    case 'function':
    case 'symbol':
      return inArray ? 'null' : undefined;
    default:
      break;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item, true)).join(',')}]`;
  const entries: string[] = [];
  // Default sort compares UTF-16 code units, as RFC 8785 (JSON canonicalization) requires.
  for (const key of Object.keys(value as object).sort()) {
    const rendered = canonical((value as Record<string, unknown>)[key], false);
    if (rendered !== undefined) entries.push(`${JSON.stringify(key)}:${rendered}`);
  }
  return `{${entries.join(',')}}`;
}

/**
 * Canonical JSON text of a value (RFC 8785 style): object keys sorted, no whitespace, numbers
 * in their shortest form; `undefined` members are dropped like JSON.stringify does. Two values
 * that differ only in key order give the same text.
 */
export function canonicalJson(value: unknown): string {
  return canonical(value, false) ?? 'null';
}

/** Lower-case hex SHA-256 of a string (UTF-8). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SHA-256 (hex) of the canonical JSON of a value: equal for bodies that differ only in key order. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
