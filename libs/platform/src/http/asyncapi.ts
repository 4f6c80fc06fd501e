import type { INestApplication } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DOCS_PATH } from '../constants';
import type { SwaggerInfo } from './swagger';

/** Where every service serves the AsyncAPI 3 document of its events. */
export const ASYNCAPI_JSON_PATH = `${DOCS_PATH}/asyncapi.json`;
/** Where a service that exchanges envelopes with other nodes serves the border's document. */
export const EXCHANGE_ASYNCAPI_JSON_PATH = `${DOCS_PATH}/exchange-asyncapi.json`;

/**
 * Injection tokens of the document sources: libs/messaging provides the service's own (from its
 * declared topics and `@EventPattern` handlers), a federation module the exchange one
 * (libs/platform cannot import either library, so it serves what it finds under these tokens).
 */
export const ASYNCAPI_DOCUMENT = 'puente:ASYNCAPI_DOCUMENT';
export const EXCHANGE_ASYNCAPI_DOCUMENT = 'puente:EXCHANGE_ASYNCAPI_DOCUMENT';

export interface AsyncApiSource {
  /** The document; called after the app started (handlers registered), its result may be cached. */
  document(info: SwaggerInfo): Record<string, unknown>;
}

function sourceOf(app: INestApplication, token: string): AsyncApiSource | null {
  // Looked up through ModuleRef, not `app.get`: the application object NestFactory returns logs an
  // `error` for every call that throws, and a service without federation has no exchange source.
  const modules = app.get(ModuleRef, { strict: false });
  try {
    return modules.get<AsyncApiSource>(token, { strict: false });
  } catch {
    return null;
  }
}

/** Registers `/docs/asyncapi.json` (and the exchange document where a source exists). */
export function serveAsyncApi(app: INestApplication, fastify: FastifyInstance, info: SwaggerInfo): void {
  for (const [path, token] of [
    [ASYNCAPI_JSON_PATH, ASYNCAPI_DOCUMENT],
    [EXCHANGE_ASYNCAPI_JSON_PATH, EXCHANGE_ASYNCAPI_DOCUMENT],
  ] as const) {
    // Without a source (an app without messaging) the path stays unrouted: a problem+json 404.
    const source = sourceOf(app, token);
    if (!source) continue;
    let cached: string | null = null;
    fastify.get(`/${path}`, (_request: FastifyRequest, reply: FastifyReply) => {
      cached ??= JSON.stringify(source.document(info));
      void reply.type('application/json; charset=utf-8').send(cached);
    });
  }
}
