/**
 * The fields a person consented to share: a list / set of dotted paths, or a map of
 * path → granted (only `true` counts).
 */
export type ConsentedFields = readonly string[] | ReadonlySet<string> | Readonly<Record<string, boolean>>;

/** A deep-partial view of `T`: what may survive minimization. */
export type Minimized<T> = T extends Date | Uint8Array | string | number | boolean | bigint | symbol | null | undefined
  ? T
  : T extends readonly (infer U)[]
    ? Minimized<U>[]
    : T extends object
      ? { [K in keyof T]?: Minimized<T[K]> }
      : T;

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

function segmentsOf(path: unknown): string[] | undefined {
  if (typeof path !== 'string' || path.length === 0) return undefined;
  const segments = path.split('.');
  if (segments.some((s) => s.length === 0 || FORBIDDEN_SEGMENTS.has(s))) return undefined;
  return segments;
}

function consentedList(consented: unknown): unknown[] {
  if (Array.isArray(consented)) return consented;
  if (consented instanceof Set) return [...consented];
  if (consented !== null && typeof consented === 'object') {
    return Object.entries(consented).filter(([, granted]) => granted === true).map(([path]) => path);
  }
  return [];
}

/** `a` equals `b` or is an ancestor of it (`contact` covers `contact.phone`). */
function covers(a: string, b: string): boolean {
  return a === b || b.startsWith(`${a}.`);
}

/**
 * The paths allowed by both the agreement and the consents: for every pair where one
 * covers the other, the more specific one; then only the outermost of nested survivors.
 * Malformed paths (empty segments, `__proto__`, …) are ignored. Sorted.
 */
export function allowedFields(agreementFields: readonly string[], consented: ConsentedFields): string[] {
  const agreement = (Array.isArray(agreementFields) ? agreementFields : []).filter((p): p is string => segmentsOf(p) !== undefined);
  const consents = consentedList(consented).filter((p): p is string => segmentsOf(p) !== undefined);
  const both = new Set<string>();
  for (const a of agreement) {
    for (const c of consents) {
      if (covers(a, c)) both.add(c);
      else if (covers(c, a)) both.add(a);
    }
  }
  return [...both].filter((p) => ![...both].some((q) => q !== p && covers(q, p))).sort();
}

type PathTree = Map<string, PathTree | true>;

const MISSING = Symbol('missing');

function readOwn(value: object, key: string): unknown {
  try {
    return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string, unknown>)[key] : MISSING;
  } catch {
    return MISSING;
  }
}

function isTraversable(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !(value instanceof Date) && !ArrayBuffer.isView(value);
}

function deepCopy(value: unknown, seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (value instanceof Date) return new Date(value.getTime());
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(deepCopy(item, seen));
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_SEGMENTS.has(key)) continue;
      const v = readOwn(value, key);
      if (v !== MISSING) out[key] = deepCopy(v, seen);
    }
    return out;
  }
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

function pick(value: unknown, tree: PathTree | true): unknown {
  if (value === undefined || value === MISSING) return MISSING;
  if (tree === true) return deepCopy(value, new Map());
  if (Array.isArray(value)) {
    const items = value.map((item) => pick(item, tree)).filter((item) => item !== MISSING);
    return items.length > 0 ? items : MISSING;
  }
  if (!isTraversable(value)) return MISSING;
  const out: Record<string, unknown> = {};
  for (const [segment, sub] of tree) {
    const picked = pick(readOwn(value, segment), sub);
    if (picked !== MISSING) out[segment] = picked;
  }
  return Object.keys(out).length > 0 ? out : MISSING;
}

/**
 * Data minimization: a new object holding exactly the fields that are both in the
 * data-sharing agreement and consented to by the person, nothing else.
 *
 * Paths are dotted (`contact.phone`); a parent path (`contact`) allows the whole subtree,
 * a child path only that child, so a parent object is never copied wholesale when only a
 * child is allowed. Through arrays a path applies to every element
 * (`documents.type` → `[{ type }, …]`). Absent or undefined values are left out, and empty
 * parents are not created. Pure (the input is never modified nor aliased: values are deep
 * copies) and total (never throws, whatever the input).
 */
export function minimize<T extends object>(record: T, agreementFields: readonly string[], consented: ConsentedFields): Minimized<T> {
  const tree: PathTree = new Map();
  for (const path of allowedFields(agreementFields, consented)) {
    const segments = segmentsOf(path) as string[];
    let node = tree;
    for (let i = 0; i < segments.length; i++) {
      if (i === segments.length - 1) {
        node.set(segments[i], true);
        break;
      }
      let next = node.get(segments[i]);
      if (next === true) break; // an ancestor is already allowed whole
      if (next === undefined) {
        next = new Map();
        node.set(segments[i], next);
      }
      node = next;
    }
  }
  if (!isTraversable(record) || Array.isArray(record)) return {} as Minimized<T>;
  const picked = pick(record, tree);
  return (picked === MISSING ? {} : picked) as Minimized<T>;
}
