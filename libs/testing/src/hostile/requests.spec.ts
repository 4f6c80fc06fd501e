import fc from 'fast-check';
import type { OpenApiDocument } from './openapi';
import { operationsOf } from './openapi';
import { parseResponse } from './raw-http';
import { materialize, percentEncode, requestRecipes, ValuePool } from './requests';

const doc: OpenApiDocument = {
  openapi: '3.0.0',
  paths: {
    '/v1/sites/{code}': {
      patch: {
        parameters: [
          { name: 'code', in: 'path', required: true, schema: { type: 'string', example: 'GT-MRC-01' } },
          { name: 'If-Match', in: 'header', required: true, schema: { type: 'string' } },
          { name: 'view', in: 'query', required: false, schema: { type: 'string', enum: ['full', 'short'] } },
        ],
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/UpdateSiteDto' } } } },
        responses: { '200': {} },
        security: [{ bearer: [] }],
      },
    },
  },
  components: {
    schemas: {
      UpdateSiteDto: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', example: 'Centro de Recursos para Migrantes Tecún Umán' }, active: { type: 'boolean', example: true } },
      },
    },
  },
};
const [operation] = operationsOf(doc);
const credentials = { valid: 'valid.token', noScopes: 'scopeless.token' };

describe('hostile request generation', () => {
  it('covers every kind of hostile part, one at a time, and leaves a share of requests well-formed', () => {
    const recipes = fc.sample(requestRecipes(doc, operation), { numRuns: 1500, seed: 42 });
    const kinds = new Set(recipes.flatMap((r) => r.labels.map((l) => l.replace(/@.*/, ''))));
    for (const kind of ['body:nul', 'body:lone-surrogate', 'body:invalid-utf8', 'body:malformed-json', 'body:unknown-field', 'body:nesting-600', 'body:oversized', 'path:nul', 'path:invalid-utf8', 'path:raw-invalid-utf8', 'query:invalid-utf8-name', 'header:oversized', 'header:nul-byte', 'auth:none', 'auth:garbage']) {
      expect(kinds).toContain(kind);
    }
    const clean = recipes.filter((r) => r.labels.length === 0);
    expect(clean.length / recipes.length).toBeGreaterThan(0.2);
    // A well-formed body carries its required fields.
    for (const r of clean) expect(r.body?.json).toHaveProperty('name');
  });

  it('puts identifiers and ETags the service handed out into later requests, percent-encoded', () => {
    const pool = new ValuePool();
    pool.learn(operation, { code: 'GT-MRC 7', name: 'x' }, '"abc"');
    fc.assert(
      fc.property(requestRecipes(doc, operation), (recipe) => {
        const request = materialize(operation, recipe, pool, credentials);
        const target = (request.target as Buffer).toString('latin1');
        expect(target.startsWith('/v1/sites/')).toBe(true);
        const part = recipe.path.code;
        if ('pooled' in part) expect(target).toContain(percentEncode('GT-MRC 7'));
      }),
      { numRuns: 200 },
    );
  });

  it('percent-encodes UTF-8 bytes and leaves unreserved characters alone', () => {
    expect(percentEncode('Ñandú-ü_~.a')).toBe('%C3%91and%C3%BA-%C3%BC_~.a');
    fc.assert(fc.property(fc.string(), (s) => expect(decodeURIComponent(percentEncode(s))).toBe(Buffer.from(s, 'utf8').toString('utf8'))));
  });

  it('reads fixed-length and chunked responses', () => {
    const fixed = parseResponse(Buffer.from('HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/problem+json\r\nContent-Length: 2\r\n\r\n{}'));
    expect(fixed).toMatchObject({ status: 431, headers: { 'content-type': 'application/problem+json' } });
    const chunked = parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{"a\r\n3\r\n":1\r\n1\r\n}\r\n0\r\n\r\n'));
    expect(JSON.parse(chunked.body.toString())).toEqual({ a: 1 });
  });
});
