// Does a response body match the schema its operation documents? What a generated client
// assumes: declared types, required fields present, null only where nullable, enum values.
import { derefSchema, type OpenApiDocument, type Schema } from './openapi';

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

/** Where `value` departs from `raw` (at most `max` findings), e.g. `items[0].familyNames: null but not nullable`. */
export function schemaMismatches(doc: OpenApiDocument, raw: Schema | undefined, value: unknown, path = '', max = 10): string[] {
  const out: string[] = [];
  const visit = (schemaIn: Schema | undefined, v: unknown, at: string, depth: number): void => {
    if (!schemaIn || out.length >= max || depth > 30) return;
    const nullableRef = Boolean(schemaIn.nullable);
    const schema = derefSchema(doc, schemaIn);
    const where = at || '(body)';
    if (v === null) {
      if (!(schema.nullable || nullableRef)) out.push(`${where}: null but not nullable`);
      return;
    }
    const alternatives = schema.oneOf ?? schema.anyOf ?? [];
    if (alternatives.length > 0) {
      if (!alternatives.some((part) => schemaMismatches(doc, part, v, at, 1).length === 0)) out.push(`${where}: matches none of its alternatives`);
      return;
    }
    const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
    if (type && !typeMatches(type, v)) {
      out.push(`${where}: ${Array.isArray(v) ? 'array' : typeof v} where ${type} is documented`);
      return;
    }
    if (schema.enum && !schema.enum.includes(v)) out.push(`${where}: value outside its documented enum`);
    if (Array.isArray(v)) {
      v.slice(0, 20).forEach((item, i) => visit(schema.items, item, `${at}[${i}]`, depth + 1));
      return;
    }
    if (typeof v === 'object' && v !== null && schema.properties) {
      const object = v as Record<string, unknown>;
      for (const name of schema.required ?? []) if (!(name in object)) out.push(`${at ? `${at}.` : ''}${name}: required but missing`);
      for (const [name, child] of Object.entries(schema.properties)) {
        if (name in object && object[name] !== undefined) visit(child, object[name], at ? `${at}.${name}` : name, depth + 1);
      }
    }
  };
  visit(raw, value, path, 0);
  return out;
}
