import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidEncodingProblem } from './input-encoding';
import { ProblemException, ProblemTypes } from './problem';

export interface BodyParserOptions {
  /** Keep the raw bytes on `request.rawBody` (for signature checks of webhooks). */
  rawBody?: boolean;
}

/** `application/json` and `application/<anything>+json` (e.g. merge-patch+json). */
const JSON_MEDIA_TYPES: (string | RegExp)[] = ['application/json', /^application\/[a-z0-9!#$&^_.-]+\+json$/i];

/** Deepest JSON nesting accepted: far beyond any real payload, far below a stack overflow. */
export const MAX_JSON_DEPTH = 512;

/** Nesting depth of a parsed JSON value, iteratively (a recursive walk is what overflows). */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) max = depth;
    if (max > stopAt) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return max;
}

export function malformedJsonProblem(): ProblemException {
  return new ProblemException(400, ProblemTypes.MALFORMED_JSON, 'Malformed JSON', 'The request body is not valid JSON.');
}

/**
 * Replaces Fastify's body parsers: only JSON is accepted (anything else is 415), bodies
 * are limited by Fastify's `bodyLimit` (413), and parse failures become a 400 problem
 * whose detail never echoes the body. Bodies that are not valid UTF-8 are a 400 invalid-encoding.
 * Prototype-poisoning keys are rejected.
 */
export function configureBodyParsers(fastify: FastifyInstance, options: BodyParserOptions = {}): void {
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  for (const type of JSON_MEDIA_TYPES) {
    fastify.addContentTypeParser(type, { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer | string, done) => {
      if (options.rawBody) (request as FastifyRequest & { rawBody?: Buffer | string }).rawBody = body;
      if (body.length === 0) {
        done(null, undefined);
        return;
      }
      // Decoding would silently turn invalid bytes into U+FFFD: refuse them instead.
      if (typeof body !== 'string' && !isUtf8(body)) {
        done(invalidEncodingProblem([{ field: '(body)', message: 'the request body must be valid UTF-8', code: 'encoding' }]), undefined);
        return;
      }
      parseJson(request, typeof body === 'string' ? body : body.toString('utf8'), (error: Error | null, value?: unknown) => {
        if (error) done(malformedJsonProblem(), undefined);
        else if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
          done(
            new ProblemException(400, ProblemTypes.MALFORMED_JSON, 'JSON nested too deeply', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`),
            undefined,
          );
        } else done(null, value);
      });
    });
  }
}
