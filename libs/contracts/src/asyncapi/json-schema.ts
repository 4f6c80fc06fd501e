// JSON Schema (draft-07, the dialect AsyncAPI 3 schemas default to) of protobuf messages, derived
// from their descriptors: what the payload looks like in protobuf's canonical JSON mapping (the
// wire format is protobuf binary; the JSON view is what a reader of the document can check and
// what `toJson` from @bufbuild/protobuf prints).
import { type DescEnum, type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';

export type JsonSchema = Record<string, unknown>;

/** Where message schemas live in the document (`#/components/schemas/<full name>`). */
export const SCHEMA_REF_BASE = '#/components/schemas/';

export function schemaRef(typeName: string): JsonSchema {
  return { $ref: `${SCHEMA_REF_BASE}${typeName}` };
}

const INT64_PATTERN = '^-?[0-9]+$';
const UINT64_PATTERN = '^[0-9]+$';

/** Schemas of the well-known types, per their special JSON mapping. */
const WELL_KNOWN: Record<string, JsonSchema> = {
  'google.protobuf.Timestamp': { type: 'string', format: 'date-time', description: 'RFC 3339 time in UTC (google.protobuf.Timestamp)' },
  'google.protobuf.Duration': { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]{1,9})?s$', description: 'Seconds with an "s" suffix (google.protobuf.Duration)' },
  'google.protobuf.Empty': { type: 'object', additionalProperties: false },
  'google.protobuf.Struct': { type: 'object' },
  'google.protobuf.Value': {},
  'google.protobuf.ListValue': { type: 'array' },
  'google.protobuf.FieldMask': { type: 'string', description: 'Comma-separated lowerCamelCase paths (google.protobuf.FieldMask)' },
  'google.protobuf.Any': { type: 'object', required: ['@type'], properties: { '@type': { type: 'string' } } },
};

/** google.protobuf.*Value wrappers are their scalar, or null. */
const WRAPPERS: Record<string, ScalarType> = {
  'google.protobuf.DoubleValue': ScalarType.DOUBLE,
  'google.protobuf.FloatValue': ScalarType.FLOAT,
  'google.protobuf.Int64Value': ScalarType.INT64,
  'google.protobuf.UInt64Value': ScalarType.UINT64,
  'google.protobuf.Int32Value': ScalarType.INT32,
  'google.protobuf.UInt32Value': ScalarType.UINT32,
  'google.protobuf.BoolValue': ScalarType.BOOL,
  'google.protobuf.StringValue': ScalarType.STRING,
  'google.protobuf.BytesValue': ScalarType.BYTES,
};

export function scalarSchema(type: ScalarType): JsonSchema {
  switch (type) {
    case ScalarType.STRING:
      return { type: 'string' };
    case ScalarType.BOOL:
      return { type: 'boolean' };
    case ScalarType.BYTES:
      return { type: 'string', contentEncoding: 'base64' };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: 'integer', minimum: -2147483648, maximum: 2147483647 };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: 'integer', minimum: 0, maximum: 4294967295 };
    // 64-bit integers are strings in JSON (a JavaScript number cannot hold them exactly).
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return { type: 'string', pattern: INT64_PATTERN };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { type: 'string', pattern: UINT64_PATTERN };
    case ScalarType.FLOAT:
    case ScalarType.DOUBLE:
      return { oneOf: [{ type: 'number' }, { type: 'string', enum: ['NaN', 'Infinity', '-Infinity'] }] };
  }
}

export function enumSchema(desc: DescEnum): JsonSchema {
  return { type: 'string', enum: desc.values.map((v) => v.name), 'x-protobuf-enum': desc.typeName };
}

/** A message-typed value: the well-known mapping, or a reference to the message's own schema. */
function messageValueSchema(desc: DescMessage): JsonSchema {
  const wrapped = WRAPPERS[desc.typeName];
  if (wrapped !== undefined) return { oneOf: [scalarSchema(wrapped), { type: 'null' }] };
  return WELL_KNOWN[desc.typeName] ?? schemaRef(desc.typeName);
}

function fieldSchema(field: DescField): JsonSchema {
  switch (field.fieldKind) {
    case 'scalar':
      return scalarSchema(field.scalar);
    case 'enum':
      return enumSchema(field.enum);
    case 'message':
      return messageValueSchema(field.message);
    case 'list': {
      const items =
        field.listKind === 'scalar' ? scalarSchema(field.scalar) : field.listKind === 'enum' ? enumSchema(field.enum) : messageValueSchema(field.message);
      return { type: 'array', items };
    }
    case 'map': {
      const values =
        field.mapKind === 'scalar' ? scalarSchema(field.scalar) : field.mapKind === 'enum' ? enumSchema(field.enum) : messageValueSchema(field.message);
      // Map keys are strings in JSON whatever their protobuf type.
      return { type: 'object', additionalProperties: values };
    }
  }
}

/**
 * The schema of one message (its fields by JSON name; a oneof allows at most one of its
 * members), referring to the messages it contains through `#/components/schemas/<name>`.
 */
export function messageSchema(desc: DescMessage): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const field of desc.fields) {
    properties[field.jsonName] = { ...fieldSchema(field), 'x-protobuf-field': `${field.name} = ${field.number}` };
  }
  const schema: JsonSchema = {
    type: 'object',
    title: desc.name,
    'x-protobuf-message': desc.typeName,
    properties,
    additionalProperties: false,
  };
  // Proto3 fields are all optional on the wire (defaults are omitted in JSON), so nothing is
  // required; a oneof is the one constraint between fields: at most one member is set.
  const constraints = desc.oneofs.map((oneof) => ({
    description: `oneof ${oneof.name}: at most one of ${oneof.fields.map((f) => f.jsonName).join(', ')}`,
    not: { anyOf: pairs(oneof.fields.map((f) => f.jsonName)).map(([a, b]) => ({ required: [a, b] })) },
  }));
  const nonTrivial = constraints.filter((c) => (c.not.anyOf as unknown[]).length > 0);
  if (nonTrivial.length > 0) schema['allOf'] = nonTrivial;
  return schema;
}

function innerMessage(field: DescField): DescMessage | undefined {
  if (field.fieldKind === 'message') return field.message;
  if (field.fieldKind === 'list' && field.listKind === 'message') return field.message;
  if (field.fieldKind === 'map' && field.mapKind === 'message') return field.message;
  return undefined;
}

function pairs<T>(items: readonly T[]): [T, T][] {
  const out: [T, T][] = [];
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) out.push([items[i], items[j]]);
  return out;
}

/**
 * The schemas of `roots` and of every message they reach (nested, imported), by full name;
 * well-known types are inlined, not listed.
 */
export function messageSchemas(roots: readonly DescMessage[]): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  const pending = [...roots];
  for (let desc = pending.pop(); desc; desc = pending.pop()) {
    if (out[desc.typeName] || WELL_KNOWN[desc.typeName] || WRAPPERS[desc.typeName] !== undefined) continue;
    out[desc.typeName] = messageSchema(desc);
    for (const field of desc.fields) {
      const inner = innerMessage(field);
      if (inner) pending.push(inner);
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
