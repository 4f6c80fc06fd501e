// Reading a service's own OpenAPI 3 document: its operations, parameters, bodies and the
// statuses each one documents. Only what the hostile-input generator needs.

export type Schema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  example?: unknown;
  examples?: unknown[];
  default?: unknown;
  nullable?: boolean;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
};

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
  example?: unknown;
}

interface OperationObject {
  operationId?: string;
  parameters?: (ParameterObject | { $ref: string })[];
  requestBody?: { content?: Record<string, { schema?: Schema }>; required?: boolean };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OperationObject | unknown>>;
  components?: { schemas?: Record<string, Schema>; parameters?: Record<string, ParameterObject> };
  security?: Record<string, string[]>[];
}

export interface Operation {
  /** `POST /v1/sites`: method in capitals and the documented path template. */
  id: string;
  method: string;
  path: string;
  parameters: ParameterObject[];
  /** Schema of the JSON request body, when the operation takes one. */
  body?: Schema;
  bodyRequired: boolean;
  /** Documented response statuses (`200`, `4XX`, `default`). */
  statuses: string[];
  /** Schema of each documented JSON response, by status. */
  responseSchemas: Record<string, Schema | undefined>;
  secured: boolean;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** The target of a local `$ref` (`#/components/schemas/SiteDto`). */
export function resolveRef<T>(doc: OpenApiDocument, ref: string): T {
  if (!ref.startsWith('#/')) throw new Error(`Only local $refs are supported: ${ref}`);
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (node === undefined) throw new Error(`Unresolvable $ref ${ref}`);
  return node as T;
}

/** `schema` with its `$ref` (and `allOf`) followed, so generators see the properties. */
export function derefSchema(doc: OpenApiDocument, schema: Schema | undefined, depth = 0): Schema {
  if (!schema || depth > 20) return {};
  if (schema.$ref) return derefSchema(doc, { ...resolveRef<Schema>(doc, schema.$ref), ...withoutRef(schema) }, depth + 1);
  if (schema.allOf?.length) {
    const merged: Schema = { ...schema, allOf: undefined, properties: { ...(schema.properties ?? {}) }, required: [...(schema.required ?? [])] };
    for (const part of schema.allOf) {
      const resolved = derefSchema(doc, part, depth + 1);
      Object.assign(merged.properties as Record<string, Schema>, resolved.properties ?? {});
      (merged.required as string[]).push(...(resolved.required ?? []));
      if (!merged.type && resolved.type) merged.type = resolved.type;
      if (resolved.nullable) merged.nullable = true;
    }
    if (Object.keys(merged.properties as object).length === 0) delete merged.properties;
    return merged;
  }
  return schema;
}

function withoutRef(schema: Schema): Schema {
  const { $ref: _ref, ...rest } = schema;
  return rest;
}

/** Every operation of the document whose path starts with `prefix` (default `/v1/`). */
export function operationsOf(doc: OpenApiDocument, prefix = '/v1/'): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith(prefix)) continue;
    for (const method of METHODS) {
      const op = item[method] as OperationObject | undefined;
      if (!op) continue;
      const parameters = (op.parameters ?? []).map((p) => ('$ref' in p ? resolveRef<ParameterObject>(doc, p.$ref) : p));
      const content = op.requestBody?.content ?? {};
      const jsonType = Object.keys(content).find((type) => /json/i.test(type));
      out.push({
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters,
        body: jsonType ? derefSchema(doc, content[jsonType].schema) : undefined,
        bodyRequired: op.requestBody?.required ?? false,
        statuses: Object.keys(op.responses ?? {}),
        responseSchemas: Object.fromEntries(
          Object.entries(op.responses ?? {}).map(([status, response]) => {
            const media = Object.entries(response.content ?? {}).find(([type]) => /json/i.test(type));
            return [status, media?.[1].schema];
          }),
        ),
        secured: (op.security ?? doc.security ?? []).length > 0,
      });
    }
  }
  return out;
}

/** Whether `status` is one the operation documents (exactly, as `4XX`, or through `default`). */
export function documentsStatus(operation: Operation, status: number): boolean {
  const statuses = operation.statuses;
  return statuses.includes(String(status)) || statuses.includes(`${String(status)[0]}XX`) || statuses.includes('default');
}
