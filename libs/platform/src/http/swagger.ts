import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DOCS_PATH, OPENAPI_JSON_PATH } from '../constants';
import { FieldErrorDto, ProblemDetailsDto } from './problem.dto';

export interface SwaggerInfo {
  title: string;
  description: string;
  version?: string;
}

export function buildOpenApiDocument(app: NestFastifyApplication, info: SwaggerInfo): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion(info.version ?? '0.1.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'OAuth2 client-credentials access token',
    })
    .build();
  return withPlatformResponses(SwaggerModule.createDocument(app, config, { extraModels: [ProblemDetailsDto, FieldErrorDto] }));
}

const RETRY_AFTER_HEADER = {
  description: 'Seconds to wait before trying again',
  schema: { type: 'integer', minimum: 1, example: 5 },
};

const PROBLEM_CONTENT = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetailsDto' } } };

function problem(description: string, headers?: Record<string, unknown>) {
  return { description, ...(headers ? { headers } : {}), content: PROBLEM_CONTENT };
}

/**
 * What the platform itself answers on `/v1` routes, whatever the handler does: said once here
 * so every operation of every service documents every status it can return, and generated
 * clients know a 4xx from a 5xx to retry. The rule (docs/integration.md): 400 = the request
 * is malformed (not JSON, wrong types, unknown fields, values out of their documented bounds,
 * invalid UTF-8 or NUL bytes), 422 = well-formed but semantically refused (a reference to
 * something that does not exist, a rule of the domain).
 */
const PLATFORM_RESPONSES = {
  400: problem(
    'validation-error, malformed-json, invalid-encoding or bad-request: the request is malformed (not JSON, wrong types, unknown fields, values outside their documented bounds, text that is not UTF-8 or holds NUL bytes); `errors` names each field. Fix the request; do not retry it as is.',
  ),
  404: problem('not-found: nothing with this identifier exists, or it is outside what your token may see'),
  413: problem('payload-too-large: the request body exceeds the service\'s limit (BODY_LIMIT_BYTES)'),
  414: problem('uri-too-long: a path parameter is longer than any identifier can be'),
  415: problem('unsupported-media-type: send request bodies as application/json'),
  431: problem('request-header-fields-too-large: the request headers exceed the server\'s limit'),
  429: problem('too-many-requests: this client exceeded its request rate; retry after Retry-After seconds', { 'Retry-After': RETRY_AFTER_HEADER }),
  503: problem(
    'service-unavailable: the service cannot reach its database, or a concurrent change got in the way; nothing was written. Retry after Retry-After seconds (a create with the same Idempotency-Key)',
    { 'Retry-After': RETRY_AFTER_HEADER },
  ),
} as const;

type Responses = Record<string, unknown>;
interface OperationLike {
  responses: Responses;
  parameters?: ({ in?: string; name?: string } | { $ref: string })[];
}

/** Statuses the platform can answer on this operation, given its method and parameters. */
function platformStatusesOf(method: string, operation: OperationLike): (keyof typeof PLATFORM_RESPONSES)[] {
  const parameters = (operation.parameters ?? []).filter((p): p is { in?: string; name?: string } => !('$ref' in p));
  const statuses: (keyof typeof PLATFORM_RESPONSES)[] = [400, 431, 429, 503];
  // A path parameter: the router refuses values over its length limit, the handler may not find it.
  if (parameters.some((p) => p.in === 'path')) statuses.push(404, 414);
  // Any request that may carry a body may carry too much of it, or the wrong media type.
  if (method !== 'get') statuses.push(413, 415);
  return statuses;
}

function withPlatformResponses(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method] as OperationLike | undefined;
      if (!operation) continue;
      for (const status of platformStatusesOf(method, operation)) operation.responses[status] ??= PLATFORM_RESPONSES[status];
      // A GET that takes If-None-Match answers 304 when the client's copy is current.
      const conditional = (operation.parameters ?? []).some((p) => !('$ref' in p) && p.in === 'header' && p.name?.toLowerCase() === 'if-none-match');
      if (method === 'get' && conditional) operation.responses['304'] ??= { description: 'Not modified: the ETag in If-None-Match is current (no body)' };
    }
  }
  return document;
}

/** swagger-ui-dist ships with @nestjs/swagger; resolve it from there so hoisting does not matter. */
function swaggerUiDistDir(): string {
  const swaggerPkg = require.resolve('@nestjs/swagger/package.json');
  return dirname(require.resolve('swagger-ui-dist/package.json', { paths: [dirname(swaggerPkg)] }));
}

const UI_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Page without inline scripts or styles, so the CSP can stay strict. */
function swaggerHtml(base: string, title: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<link rel="stylesheet" href="${base}swagger-ui.css">`,
    `<link rel="icon" type="image/png" href="${base}favicon-32x32.png" sizes="32x32">`,
    `<link rel="icon" type="image/png" href="${base}favicon-16x16.png" sizes="16x16">`,
    '</head>',
    '<body>',
    '<div id="swagger-ui"></div>',
    `<script src="${base}swagger-ui-bundle.js"></script>`,
    `<script src="${base}swagger-ui-standalone-preset.js"></script>`,
    `<script src="${base}swagger-ui-init.js"></script>`,
    '</body>',
    '</html>',
  ].join('\n');
}

/** Loads the spec relative to this script's own URL (works behind a path-prefixing proxy). */
const SWAGGER_INIT_JS = `(function () {
  var here = document.currentScript && document.currentScript.src;
  var specUrl = here ? new URL('openapi.json', here).toString() : '/${OPENAPI_JSON_PATH}';
  window.addEventListener('load', function () {
    window.ui = SwaggerUIBundle({
      url: specUrl,
      dom_id: '#swagger-ui',
      deepLinking: true,
      persistAuthorization: true,
      validatorUrl: null,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      plugins: [SwaggerUIBundle.plugins.DownloadUrl],
      layout: 'StandaloneLayout'
    });
  });
})();
`;

/**
 * Serves Swagger UI from swagger-ui-dist with plain Fastify routes (no @fastify/static):
 * `/docs`, `/docs/`, `/docs/index.html`, `/docs/swagger-ui-init.js` and a fixed list of assets.
 */
function serveSwaggerUi(fastify: FastifyInstance, title: string): void {
  const base = `/${DOCS_PATH}`;
  const assetsDir = swaggerUiDistDir();
  const cache = new Map<string, Buffer>();
  const htmlNoSlash = swaggerHtml(`./${DOCS_PATH}/`, title);
  const htmlSlash = swaggerHtml('./', title);

  fastify.get(base, (_req: FastifyRequest, reply: FastifyReply) => {
    void reply.type('text/html; charset=utf-8').send(htmlNoSlash);
  });
  const slash = (_req: FastifyRequest, reply: FastifyReply) => {
    void reply.type('text/html; charset=utf-8').send(htmlSlash);
  };
  fastify.get(`${base}/`, slash);
  fastify.get(`${base}/index.html`, slash);
  fastify.get(`${base}/swagger-ui-init.js`, (_req: FastifyRequest, reply: FastifyReply) => {
    void reply.type('application/javascript; charset=utf-8').send(SWAGGER_INIT_JS);
  });
  for (const [file, type] of Object.entries(UI_ASSETS)) {
    fastify.get(`${base}/${file}`, (_req: FastifyRequest, reply: FastifyReply) => {
      let content = cache.get(file);
      if (!content) {
        content = readFileSync(join(assetsDir, file));
        cache.set(file, content);
      }
      void reply.type(type).header('cache-control', 'public, max-age=3600').send(content);
    });
  }
}

/**
 * OpenAPI JSON at `/docs/openapi.json` (YAML at `/docs/openapi.yaml`) and Swagger UI at
 * `/docs`. The UI is served by the platform itself, so @fastify/static is not required.
 */
export function setupSwagger(app: NestFastifyApplication, info: SwaggerInfo): OpenAPIObject {
  const document = buildOpenApiDocument(app, info);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    ui: false,
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    yamlDocumentUrl: 'docs/openapi.yaml',
  });
  serveSwaggerUi(app.getHttpAdapter().getInstance(), info.title);
  return document;
}
