// Request generators built from a service's own OpenAPI document: valid requests (documented
// examples, schema-shaped values, identifiers the service returned earlier) and hostile ones
// (NUL bytes, invalid UTF-8 raw and percent-encoded, lone surrogates, huge strings, deep
// nesting, wrong types, unknown fields, malformed JSON, wrong content types, bad tokens,
// oversized headers). A generated value is a recipe; `materialize` turns it into bytes with
// the values known at send time.
import fc from 'fast-check';
import { derefSchema, type OpenApiDocument, type Operation, type ParameterObject, type Schema } from './openapi';
import type { RawRequest } from './raw-http';

/** `persons` → `person`, `partner-directory` → `partnerDirectory`. */
function resourceOf(segment: string | undefined): string | undefined {
  return segment?.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()).replace(/s$/, '');
}

/** Values seen in the service's successful responses (ids, codes, ETags), by field name. */
export class ValuePool {
  private readonly values = new Map<string, string[]>();

  add(name: string, value: string): void {
    if (value === '') return;
    const list = this.values.get(name) ?? [];
    if (!list.includes(value)) list.push(value);
    if (list.length > 50) list.shift();
    this.values.set(name, list);
  }

  /** A value known under the first of `names` that has any. */
  pick(names: readonly string[], index: number): string | undefined {
    for (const name of names) {
      const list = this.values.get(name);
      if (list?.length) return list[index % list.length];
    }
    return undefined;
  }

  /** Remembers identifiers of a 2xx JSON body: `id`, `code`, `*Id`, also as `<resource>Id` for `id`. */
  learn(operation: Pick<Operation, 'path'>, body: unknown, etag: string | undefined): void {
    if (etag) this.add('etag', etag);
    const resource = resourceOf(/^\/v1\/([a-z-]+)/.exec(operation.path)?.[1]);
    const visit = (node: unknown, depth: number): void => {
      if (depth > 3 || node === null || typeof node !== 'object') return;
      if (Array.isArray(node)) {
        for (const item of node.slice(0, 10)) visit(item, depth + 1);
        return;
      }
      for (const [key, value] of Object.entries(node)) {
        if (typeof value === 'string' && value.length <= 200 && (key === 'id' || key === 'code' || key.endsWith('Id'))) {
          this.add(key, value);
          if (key === 'id' && depth === 0 && resource) this.add(`${resource}Id`, value);
        } else visit(value, depth + 1);
      }
    };
    visit(body, 0);
  }
}

export interface Credentials {
  /** A valid token with every scope the service checks. */
  valid: string;
  /** A valid token without any of the service's scopes (403s). */
  noScopes: string;
}

/** One part of a request, resolved when it is sent. */
type Part = { raw: string | Buffer } | { pooled: readonly string[]; index: number; fallback: string };

export interface RequestRecipe {
  /** What was varied, e.g. `body:nul-in-string`, `path:invalid-utf8`, `auth:none`. */
  labels: string[];
  path: Record<string, Part>;
  query: [string, Part][];
  headers: [string, Part][];
  auth: 'valid' | 'none' | 'garbage' | 'no-scopes' | 'basic';
  body?: { contentType?: string; bytes: Buffer | 'json'; json?: unknown };
}

// ---- values -------------------------------------------------------------------------------

/** Strings that must never reach a database or crash a handler. */
const HOSTILE_STRINGS: [string, string][] = [
  ['nul', 'a\u0000b'],
  ['only-nul', '\u0000'],
  ['lone-surrogate', 'x\ud800y'],
  ['low-surrogate', '\udfff'],
  ['control-chars', '\u0001\u0007\u001b[31m\u007f'],
  ['bidi-override', '\u202egnp.exe'],
  ['emoji', '👩🏽‍⚕️🇬🇹'],
  ['sql', "'; DROP TABLE person; --"],
  ['whitespace', ' \t\n '],
  ['empty', ''],
  ['percent', '%00%FF%'],
  ['long-digits', '9'.repeat(400)],
];

function hugeString(): fc.Arbitrary<[string, string]> {
  return fc.constantFrom<[string, string]>(['huge-10k', 'ü'.repeat(10_000)], ['huge-100k', 'a'.repeat(100_000)]);
}

const hostileString: fc.Arbitrary<[string, string]> = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) }, { weight: 1, arbitrary: hugeString() });

const wrongTypes: fc.Arbitrary<[string, unknown]> = fc.constantFrom<[string, unknown]>(
  ['wrong-type-number', 12345],
  ['wrong-type-float', 1.5e308],
  ['wrong-type-negative', -1],
  ['wrong-type-boolean', true],
  ['wrong-type-null', null],
  ['wrong-type-object', { nested: { value: 'x' } }],
  ['wrong-type-array', ['a', 1, null]],
  ['wrong-type-string', 'not-the-right-type'],
  ['wrong-type-empty-object', {}],
  ['wrong-type-proto', JSON.parse('{"__proto__":{"admin":true}}')],
);

function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

function typeOf(schema: Schema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
}

/** Values that fit `schema` (documented examples first), a few levels deep. */
export function validValue(doc: OpenApiDocument, raw: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const schema = derefSchema(doc, raw);
  const options: fc.Arbitrary<unknown>[] = [];
  const examples = [schema.example, ...(schema.examples ?? [])].filter((e) => e !== undefined);
  const shaped = shapedValue(doc, schema, depth);
  if (examples.length > 0) {
    // Documented examples fit together (a site code that exists, a date in range): mostly those.
    return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...examples) }, { weight: 1, arbitrary: shaped });
  }
  options.push(shaped);
  if (schema.nullable) return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: fc.constant(null) });
  return options[0];
}

/**
 * The request a documentation reader would write: documented examples, required properties and
 * some optional ones, one item per array. What reaches a handler's happy path most often.
 */
export function exampleValue(doc: OpenApiDocument, raw: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const schema = derefSchema(doc, raw);
  const example = schema.example ?? schema.examples?.[0];
  if (example !== undefined) return fc.constant(example);
  if (schema.enum?.length) return fc.constant(schema.enum[0]);
  if (depth > 4) return shapedValue(doc, schema, depth);
  if (typeOf(schema) === 'array') return fc.tuple(exampleValue(doc, schema.items, depth + 1));
  if (schema.properties) {
    // Required properties always, optional ones sometimes (some exclude each other).
    const model = Object.fromEntries(Object.entries(schema.properties).map(([name, s]) => [name, exampleValue(doc, s, depth + 1)]));
    return fc.record(model, { requiredKeys: (schema.required ?? []).filter((name) => name in model) });
  }
  return shapedValue(doc, schema, depth);
}

function shapedValue(doc: OpenApiDocument, schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  if (schema.oneOf?.length || schema.anyOf?.length) return fc.oneof(...(schema.oneOf ?? schema.anyOf ?? []).map((s) => validValue(doc, s, depth + 1)));
  switch (typeOf(schema)) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 100_000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      if (depth > 4) return fc.constant([]);
      return fc.array(validValue(doc, schema.items, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
    default:
      if (schema.properties && depth <= 4) return objectFor(doc, schema, depth);
      return fc.constant({});
  }
}

function objectFor(doc: OpenApiDocument, schema: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, validValue(doc, s, depth + 1)]));
  const required = (schema.required ?? []).filter((name) => name in properties);
  return fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
}

function stringFor(schema: Schema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'date':
      return fc.date({ min: new Date('1930-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'email':
      return fc.emailAddress();
    case 'uri':
      return fc.webUrl();
  }
  if (schema.pattern) {
    try {
      const pattern = new RegExp(schema.pattern);
      return fc.stringMatching(pattern).filter((s) => s.length <= (schema.maxLength ?? 200) && s.length >= (schema.minLength ?? 0));
    } catch {
      // A pattern JavaScript cannot compile: fall back to a plain string.
    }
  }
  return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
}

// ---- bodies -------------------------------------------------------------------------------

/** Replaces the value at one (top-level or nested) property path of a JSON object. */
function setAt(target: unknown, keys: string[], value: unknown): unknown {
  if (keys.length === 0) return value;
  if (target === null || typeof target !== 'object' || Array.isArray(target)) return { [keys[0]]: setAt(undefined, keys.slice(1), value) };
  const copy = { ...(target as Record<string, unknown>) };
  copy[keys[0]] = setAt(copy[keys[0]], keys.slice(1), value);
  return copy;
}

/** Property paths of a schema (`name`, `contact.phone`), a few levels deep. */
function propertyPaths(doc: OpenApiDocument, raw: Schema | undefined, prefix: string[] = [], depth = 0): string[][] {
  const schema = derefSchema(doc, raw);
  if (depth > 3 || !schema.properties) return [];
  const out: string[][] = [];
  for (const [name, child] of Object.entries(schema.properties)) {
    out.push([...prefix, name]);
    out.push(...propertyPaths(doc, child, [...prefix, name], depth + 1));
  }
  return out;
}

const MALFORMED_JSON = ['{', '{"a":', '{"a":1,}', "{'a':1}", '{"a":1}}', 'nul', '[1,2', '{"a":"\\x00"}', '{"a":"\\ud800"}', '{"a":01}', '\u0000', '{"a":NaN}'];

function withInvalidUtf8(json: unknown): Buffer {
  const text = JSON.stringify(json ?? {});
  // Invalid UTF-8 inside the first string value (or as a value of its own).
  const at = text.indexOf('":"');
  if (at === -1) return Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]);
  return Buffer.concat([Buffer.from(text.slice(0, at + 3)), Buffer.from([0xed, 0xa0, 0x80, 0xc0, 0xaf]), Buffer.from(text.slice(at + 3))]);
}

type BodyPart = { labels: readonly string[]; body?: RequestRecipe['body'] };

function bodyFor(doc: OpenApiDocument, operation: Operation, hostile: boolean): fc.Arbitrary<BodyPart> {
  const json = (labels: string[], value: unknown, contentType = 'application/json') => ({ labels, body: { contentType, bytes: 'json' as const, json: value } });
  if (!operation.body) {
    if (!hostile) return fc.constant({ labels: [] });
    return fc.oneof(
      fc.constant(json(['body:unexpected-json'], { unexpected: true })),
      fc.constant({ labels: ['body:unexpected-text'], body: { contentType: 'text/plain', bytes: Buffer.from('hello') } }),
      fc.constant({ labels: ['body:unexpected-invalid-utf8'], body: { contentType: 'application/json', bytes: Buffer.from([0x7b, 0xff, 0x7d]) } }),
    );
  }
  const valid = validValue(doc, operation.body);
  if (!hostile) return fc.oneof({ weight: 2, arbitrary: exampleValue(doc, operation.body) }, { weight: 1, arbitrary: valid }).map((v) => json([], v));
  const paths = propertyPaths(doc, operation.body);
  const required = derefSchema(doc, operation.body).required ?? [];
  const pathArb = paths.length > 0 ? fc.constantFrom(...paths) : fc.constant<string[]>(['field']);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(valid, pathArb, hostileString).map(([v, path, [label, s]]) => json([`body:${label}@${path.join('.')}`], setAt(v, path, s))),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(valid, pathArb, wrongTypes).map(([v, path, [label, w]]) => json([`body:${label}@${path.join('.')}`], setAt(v, path, w))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, fc.constantFrom('unknownField', 'isAdmin', '__proto__', 'constructor', 'a\u0000b'))
        .map(([v, key]) => json(['body:unknown-field'], { ...(v as object), [key]: 'x' })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.constantFrom(...(required.length ? required : ['none']))).map(([v, key]) => {
        const copy = { ...(v as Record<string, unknown>) };
        delete copy[key];
        return json(['body:missing-required'], copy);
      }),
    },
    { weight: 1, arbitrary: fc.constantFrom<unknown>([], [{}], 'text', 42, null, true).map((v) => json(['body:not-an-object'], v)) },
    { weight: 1, arbitrary: fc.constantFrom(...MALFORMED_JSON).map((t) => ({ labels: ['body:malformed-json'], body: { contentType: 'application/json', bytes: Buffer.from(t) } })) },
    { weight: 1, arbitrary: valid.map((v) => ({ labels: ['body:invalid-utf8'], body: { contentType: 'application/json', bytes: withInvalidUtf8(v) } })) },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, pathArb, fc.constantFrom(40, 600)).map(([v, path, depth]) => json([`body:nesting-${depth}@${path.join('.')}`], setAt(v, path, nested(depth)))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', ''))
        .map(([v, type]) => ({ labels: [`body:content-type=${type || 'none'}`], body: { contentType: type || undefined, bytes: Buffer.from(JSON.stringify(v)) } })),
    },
    { weight: 1, arbitrary: fc.constant({ labels: ['body:empty'], body: { contentType: 'application/json', bytes: Buffer.alloc(0) } }) },
    { weight: 1, arbitrary: fc.constant({ labels: ['body:none'] }) },
    { weight: 1, arbitrary: fc.constant({ labels: ['body:oversized'], body: oversizedBody() }) },
  );
}

/** A body larger than the default limit (1 MiB): generated rarely, it costs time. */
export function oversizedBody(): RequestRecipe['body'] {
  return { contentType: 'application/json', bytes: Buffer.from(JSON.stringify({ blob: 'x'.repeat(1_100_000) })) };
}

// ---- parameters ---------------------------------------------------------------------------

/** Percent-encodes the UTF-8 bytes of `text` (lone surrogates become U+FFFD, as a client would). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Already-encoded hostile segments: what a client cannot type but an attacker can send. */
const HOSTILE_ENCODED: [string, string | Buffer][] = [
  ['nul', '%00'],
  ['nul-inside', 'GT%00MRC'],
  ['invalid-utf8', '%C3%28'],
  ['invalid-utf8-ff', '%FF%FE'],
  ['encoded-surrogate', '%ED%A0%80'],
  ['overlong', '%C0%AF'],
  ['bad-percent', '%'],
  ['bad-percent-2', '%G1'],
  ['encoded-slash', 'a%2Fb'],
  ['dot-dot', '%2E%2E'],
  ['huge', 'a'.repeat(4000)],
  ['raw-invalid-utf8', Buffer.from([0x61, 0xc3, 0x28, 0xff])],
  ['unicode', percentEncode('Ñandú-ü-你好')],
  ['sql', percentEncode("1' OR '1'='1")],
];

function parameterValue(doc: OpenApiDocument, parameter: ParameterObject, hostile: boolean, poolNames: readonly string[] = [parameter.name]): fc.Arbitrary<[string[], Part]> {
  const schema = derefSchema(doc, parameter.schema);
  const example = parameter.example ?? schema.example;
  if (hostile) {
    return fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_ENCODED).map(([label, raw]) => [[`${parameter.in}:${label}@${parameter.name}`], { raw }] as [string[], Part]) },
      { weight: 1, arbitrary: hostileString.map(([label, s]) => [[`${parameter.in}:${label}@${parameter.name}`], { raw: percentEncode(s) }] as [string[], Part]) },
    );
  }
  // Never empty: an empty path segment is another route, not another value.
  const fromSchema = validValue(doc, schema).map((v) => percentEncode(typeof v === 'string' ? v : JSON.stringify(v)) || 'x');
  const options: fc.WeightedArbitrary<[string[], Part]>[] = [{ weight: 2, arbitrary: fromSchema.map((raw) => [[], { raw }] as [string[], Part]) }];
  const fallback = example !== undefined ? percentEncode(String(example)) : 'x';
  if (parameter.in === 'path') {
    options.push({ weight: 4, arbitrary: fc.nat().map((index) => [[], { pooled: poolNames, index, fallback }] as [string[], Part]) });
    // Most identifiers are UUIDs even where the document does not say so: reach the lookup.
    options.push({ weight: 1, arbitrary: fc.uuid().map((raw) => [[], { raw }] as [string[], Part]) });
  }
  if (example !== undefined) options.push({ weight: 2, arbitrary: fc.constant([[], { raw: fallback }] as [string[], Part]) });
  return fc.oneof(...options);
}

function pathFor(doc: OpenApiDocument, operation: Operation, hostile: boolean): fc.Arbitrary<{ labels: string[]; path: Record<string, Part> }> {
  const params = operation.parameters.filter((p) => p.in === 'path');
  if (params.length === 0) return fc.constant({ labels: [], path: {} });
  // One hostile parameter at a time, the others valid.
  // `{id}` after `/persons` is best filled with a `personId` the service handed out.
  const poolNamesOf = (name: string): string[] => {
    const before = new RegExp(`/([a-z-]+)/\\{${name}\\}`).exec(operation.path)?.[1];
    const resource = resourceOf(before);
    return name === 'id' && resource ? [`${resource}Id`, 'id'] : [name];
  };
  return fc.nat({ max: params.length - 1 }).chain((target) => fc.tuple(...params.map((p, i) => parameterValue(doc, p, hostile && i === target, poolNamesOf(p.name))))).map((values) => ({
    labels: values.flatMap(([labels]) => labels),
    path: Object.fromEntries(params.map((p, i) => [p.name, values[i][1]])),
  }));
}

function queryFor(doc: OpenApiDocument, operation: Operation, hostile: boolean): fc.Arbitrary<{ labels: string[]; query: [string, Part][] }> {
  const params = operation.parameters.filter((p) => p.in === 'query');
  const documented = (target: number) =>
    params.map((p, i) =>
      hostile && i === target
        ? parameterValue(doc, p, true).map(([labels, part]) => ({ labels, entries: [[p.name, part]] as [string, Part][] }))
        : fc.option(
            parameterValue(doc, p, false).map(([labels, part]) => ({ labels, entries: [[p.name, part]] as [string, Part][] })),
            { freq: 2 },
          ),
    );
  const extra = fc.constantFrom<[string, [string, Part][]]>(
      ['query:unknown', [['unknownParam', { raw: '1' }]]],
      ['query:repeated', params.length ? [[params[0].name, { raw: '1' }], [params[0].name, { raw: '2' }]] : [['x', { raw: '1' }], ['x', { raw: '2' }]]],
      ['query:nul-name', [['a%00b', { raw: '1' }]]],
      ['query:invalid-utf8-name', [['%FF', { raw: '1' }]]],
      ['query:bracket', [[params.length ? `${params[0].name}[a]` : 'a[b]', { raw: '1' }]]],
  );
  // Hostile: one documented parameter gets a hostile value, or an extra parameter is added.
  const target = fc.integer({ min: -1, max: params.length - 1 });
  return target.chain((t) => fc.tuple(fc.tuple(...documented(t)), hostile && t === -1 ? extra : fc.constant(null))).map(([values, more]) => {
    const present = values.filter((v): v is { labels: string[]; entries: [string, Part][] } => v !== null);
    return {
      labels: [...present.flatMap((v) => v.labels), ...(more ? [more[0]] : [])],
      query: [...present.flatMap((v) => v.entries), ...(more ? more[1] : [])],
    };
  });
}

const HEADER_VALUES: [string, string | Buffer][] = [
  ['invalid-utf8', Buffer.from([0x61, 0xc3, 0x28, 0xff])],
  ['latin1', Buffer.from([0xe9, 0x74, 0xe9])],
  ['empty', ''],
  ['long', 'k'.repeat(2000)],
  ['quoted', '"W/\\"x\\""'],
  ['star', '*'],
  ['sql', "' OR 1=1 --"],
];

function headersFor(doc: OpenApiDocument, operation: Operation, hostile: boolean): fc.Arbitrary<{ labels: string[]; headers: [string, Part][] }> {
  const params = operation.parameters.filter((p) => p.in === 'header');
  const documented = (target: number) => params.map((p, i) => {
    const lower = p.name.toLowerCase();
    const valid: fc.Arbitrary<Part> =
      lower === 'idempotency-key'
        ? fc.uuid().map((raw) => ({ raw }))
        : lower === 'if-match' || lower === 'if-none-match'
          ? fc.oneof(fc.nat().map((index) => ({ pooled: ['etag'], index, fallback: '"0"' })), fc.constant({ raw: '*' }))
          : validValue(doc, p.schema).map((v) => ({ raw: typeof v === 'string' ? v : JSON.stringify(v ?? '') }));
    const present = valid.map((part) => ({ labels: [] as string[], entries: [[p.name, part]] as [string, Part][] }));
    const absent = fc.constant({ labels: p.required ? [`header:absent@${p.name}`] : [], entries: [] as [string, Part][] });
    if (!(hostile && i === target)) return p.required ? present : fc.oneof({ weight: 3, arbitrary: present }, { weight: 1, arbitrary: absent });
    return fc.oneof(
      { weight: 1, arbitrary: absent.map((a) => ({ ...a, labels: [`header:absent@${p.name}`] })) },
      {
        weight: 3,
        arbitrary: fc.constantFrom(...HEADER_VALUES).map(([label, raw]) => ({ labels: [`header:${label}@${p.name}`], entries: [[p.name, { raw }]] as [string, Part][] })),
      },
    );
  });
  const extra = fc.constantFrom<[string, [string, Part][]]>(
      ['header:oversized', [['x-padding', { raw: 'p'.repeat(20_000) }]]],
      ['header:nul-byte', [['x-request-id', { raw: Buffer.from([0x61, 0x00, 0x62]) }]]],
      ['header:invalid-utf8-request-id', [['x-request-id', { raw: Buffer.from([0xc3, 0x28, 0xff]) }]]],
      ['header:bad-traceparent', [['traceparent', { raw: '00-zz-\u00ff-01' }]]],
      ['header:many', Array.from({ length: 120 }, (_v, i) => [`x-h${i}`, { raw: String(i) }] as [string, Part])],
      ['header:accept-xml', [['accept', { raw: 'application/xml' }]]],
      ['header:bad-content-length', [['content-length', { raw: 'abc' }]]],
  );
  const target = fc.integer({ min: -1, max: params.length - 1 });
  return target.chain((t) => fc.tuple(fc.tuple(...documented(t)), hostile && t === -1 ? extra : fc.constant(null))).map(([values, more]) => ({
    labels: [...values.flatMap((v) => v.labels), ...(more ? [more[0]] : [])],
    headers: [...values.flatMap((v) => v.entries), ...(more ? more[1] : [])],
  }));
}

type Focus = 'none' | 'path' | 'query' | 'header' | 'body' | 'auth';

/**
 * Requests for one operation: a third well-formed and authorized (so handlers run), the rest
 * with exactly one hostile part (path, query, header, body or token), so each answer says
 * which part it was about.
 */
export function requestRecipes(doc: OpenApiDocument, operation: Operation): fc.Arbitrary<RequestRecipe> {
  const hasPath = operation.parameters.some((p) => p.in === 'path');
  const focus = fc.oneof(
    { weight: 5, arbitrary: fc.constant<Focus>('none') },
    { weight: hasPath ? 2 : 0, arbitrary: fc.constant<Focus>('path') },
    { weight: 2, arbitrary: fc.constant<Focus>('query') },
    { weight: 2, arbitrary: fc.constant<Focus>('header') },
    { weight: operation.body ? 4 : 1, arbitrary: fc.constant<Focus>('body') },
    { weight: 1, arbitrary: fc.constant<Focus>('auth') },
  );
  return focus.chain((f) =>
    fc
      .tuple(
        pathFor(doc, operation, f === 'path'),
        queryFor(doc, operation, f === 'query'),
        headersFor(doc, operation, f === 'header'),
        bodyFor(doc, operation, f === 'body'),
        f === 'auth' ? fc.constantFrom('none' as const, 'garbage' as const, 'no-scopes' as const, 'basic' as const) : fc.constant('valid' as const),
      )
      .map(([path, query, headers, body, auth]) => ({
        labels: [...path.labels, ...query.labels, ...headers.labels, ...body.labels, ...(auth === 'valid' ? [] : [`auth:${auth}`])],
        path: path.path,
        query: query.query,
        headers: headers.headers,
        auth,
        body: body.body,
      })),
  );
}

function resolve(part: Part, pool: ValuePool): string | Buffer {
  if ('raw' in part) return part.raw;
  const value = pool.pick(part.pooled, part.index);
  return value === undefined ? part.fallback : part.pooled[0] === 'etag' ? value : percentEncode(value);
}

/** The bytes of a recipe, with identifiers and ETags the service handed out so far. */
export function materialize(operation: Operation, recipe: RequestRecipe, pool: ValuePool, credentials: Credentials): RawRequest {
  const target: Buffer[] = [];
  for (const segment of operation.path.split(/(\{[^}]+\})/)) {
    const name = /^\{([^}]+)\}$/.exec(segment)?.[1];
    target.push(Buffer.from(name ? (recipe.path[name] ? resolve(recipe.path[name], pool) : 'x') : segment));
  }
  recipe.query.forEach(([name, part], i) => target.push(Buffer.from(i === 0 ? '?' : '&'), Buffer.from(name), Buffer.from('='), Buffer.from(resolve(part, pool))));
  const headers: [string, string | Buffer][] = recipe.headers.map(([name, part]) => [name, resolve(part, pool)]);
  const authorization = { valid: `Bearer ${credentials.valid}`, 'no-scopes': `Bearer ${credentials.noScopes}`, garbage: 'Bearer not.a.token', basic: 'Basic dXNlcjpwYXNz', none: undefined }[recipe.auth];
  if (authorization) headers.push(['authorization', authorization]);
  let body: Buffer | undefined;
  if (recipe.body) {
    body = recipe.body.bytes === 'json' ? Buffer.from(JSON.stringify(recipe.body.json) ?? 'null') : recipe.body.bytes;
    if (recipe.body.contentType) headers.push(['content-type', recipe.body.contentType]);
  }
  return { method: operation.method, target: Buffer.concat(target), headers, body };
}
