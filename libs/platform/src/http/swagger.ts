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
  return withTransientFailures(SwaggerModule.createDocument(app, config, { extraModels: [ProblemDetailsDto, FieldErrorDto] }));
}

const RETRY_AFTER_HEADER = {
  description: 'Seconds to wait before trying again',
  schema: { type: 'integer', minimum: 1, example: 5 },
};

/**
 * Every `/v1` operation can answer 429 (rate limit) and 503 (database out of reach, or a
 * concurrent change got in the way), both with Retry-After: said once here so every generated
 * client knows to wait and retry, not to report a bug.
 */
function withTransientFailures(document: OpenAPIObject): OpenAPIObject {
  const problem = (description: string) => ({
    description,
    headers: { 'Retry-After': RETRY_AFTER_HEADER },
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetailsDto' } } },
  });
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (!operation) continue;
      operation.responses['429'] ??= problem('too-many-requests: this client exceeded its request rate; retry after Retry-After seconds');
      operation.responses['503'] ??= problem(
        'service-unavailable: the service cannot reach its database, or a concurrent change got in the way; nothing was written. Retry after Retry-After seconds (a create with the same Idempotency-Key)',
      );
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
