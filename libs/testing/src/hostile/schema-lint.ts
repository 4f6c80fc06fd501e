// Checks that an OpenAPI 3.0 document describes every field so a generated client gets it right:
// a scalar declared as a bare `type: object` (what @nestjs/swagger emits for `string | null`
// without `type`), a schema without any type, `nullable` where OpenAPI 3.0 ignores it, arrays
// without items, required fields that do not exist.
import type { OpenApiDocument, Schema } from './openapi';

export interface SchemaIssue {
  /** Where: `components.schemas.PersonDto.properties.familyNames`, `GET /v1/sites query cursor`. */
  at: string;
  problem: string;
}

const COMBINERS = ['allOf', 'oneOf', 'anyOf'] as const;

function lintSchema(schema: Schema | undefined, at: string, issues: SchemaIssue[], depth = 0): void {
  if (!schema || depth > 30) return;
  if (schema.$ref) {
    const siblings = Object.keys(schema).filter((k) => k !== '$ref' && k !== 'description' && k !== 'example');
    if (siblings.includes('nullable')) issues.push({ at, problem: 'nullable beside $ref is ignored by OpenAPI 3.0 (wrap the $ref in allOf)' });
    return;
  }
  const combined = COMBINERS.filter((c) => schema[c]?.length);
  for (const c of combined) schema[c]?.forEach((part, i) => lintSchema(part, `${at}.${c}[${i}]`, issues, depth + 1));
  const hasType = schema.type !== undefined;
  if (!hasType && combined.length === 0 && !schema.enum) {
    issues.push({ at, problem: 'no type: generated clients cannot tell a string from an object (give @ApiProperty a type)' });
  }
  if (Array.isArray(schema.type)) issues.push({ at, problem: 'type arrays are OpenAPI 3.1; this document is 3.0 (use type plus nullable: true)' });
  if (schema.type === 'object' && !schema.properties && schema.additionalProperties === undefined && combined.length === 0) {
    issues.push({ at, problem: 'type object with no properties: a scalar declared without its type (e.g. string | null), or a map that should say additionalProperties' });
  }
  if (schema.type === 'array' && !schema.items) issues.push({ at, problem: 'array without items' });
  if (schema.enum && !hasType) issues.push({ at, problem: 'enum without type' });
  // An allOf part may require what a sibling part defines: checked on the merged whole instead.
  if (!/\.allOf\[\d+\]$/.test(at)) {
    for (const name of schema.required ?? []) {
      if (schema.properties && !(name in schema.properties)) issues.push({ at, problem: `required field ${name} is not among the properties` });
    }
  }
  for (const [name, child] of Object.entries(schema.properties ?? {})) lintSchema(child, `${at}.properties.${name}`, issues, depth + 1);
  if (schema.items) lintSchema(schema.items, `${at}.items`, issues, depth + 1);
  if (typeof schema.additionalProperties === 'object') lintSchema(schema.additionalProperties, `${at}.additionalProperties`, issues, depth + 1);
}

interface OperationShape {
  parameters?: ({ name?: string; in?: string; schema?: Schema } | { $ref: string })[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }>; headers?: Record<string, { schema?: Schema }> }>;
}

/** Every schema problem of the document: component schemas, parameters, bodies and responses. */
export function openApiSchemaIssues(doc: OpenApiDocument): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  if (!doc.openapi?.startsWith('3.0')) issues.push({ at: 'openapi', problem: `expected OpenAPI 3.0.x, got ${doc.openapi}` });
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) lintSchema(schema, `components.schemas.${name}`, issues);
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'patch', 'delete'].includes(method)) continue;
      const op = raw as OperationShape;
      const where = `${method.toUpperCase()} ${path}`;
      for (const p of op.parameters ?? []) {
        if ('$ref' in p) continue;
        lintSchema(p.schema, `${where} ${p.in} ${p.name}`, issues);
      }
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) lintSchema(media.schema, `${where} body ${type}`, issues);
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        for (const [type, media] of Object.entries(response.content ?? {})) lintSchema(media.schema, `${where} ${status} ${type}`, issues);
        for (const [header, h] of Object.entries(response.headers ?? {})) lintSchema(h.schema, `${where} ${status} header ${header}`, issues);
      }
    }
  }
  return issues;
}
