import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemException, ProblemTypes } from './problem';

export interface BodyParserOptions {
  /** Keep the raw bytes on `request.rawBody` (for signature checks of webhooks). */
  rawBody?: boolean;
}

/** `application/json` and `application/<anything>+json` (e.g. merge-patch+json). */
const JSON_MEDIA_TYPES: (string | RegExp)[] = ['application/json', /^application\/[a-z0-9!#$&^_.-]+\+json$/i];

export function malformedJsonProblem(): ProblemException {
  return new ProblemException(400, ProblemTypes.MALFORMED_JSON, 'Malformed JSON', 'The request body is not valid JSON.');
}

/**
 * Replaces Fastify's body parsers: only JSON is accepted (anything else is 415), bodies
 * are limited by Fastify's `bodyLimit` (413), and parse failures become a 400 problem
 * whose detail never echoes the body. Prototype-poisoning keys are rejected.
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
      parseJson(request, typeof body === 'string' ? body : body.toString('utf8'), (error: Error | null, value?: unknown) => {
        if (error) done(malformedJsonProblem(), undefined);
        else done(null, value);
      });
    });
  }
}
