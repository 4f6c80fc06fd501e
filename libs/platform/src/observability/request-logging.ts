import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { storage, type Store } from 'nestjs-pino/storage';
import type { Level, Logger } from 'pino';
import { isOperationalRoute, pathOf, responseLogLevelOf } from './logging';
import { resolveRequestContext } from './request-context';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/**
 * The logger of one request (what nestjs-pino's PinoLogger reads from its AsyncLocalStorage): a
 * pino child with the request's requestId and traceId, made only when a line is written at an
 * enabled level. Most requests write nothing but their completion line, and a redacting pino
 * child per request (pino-http's way) cost more than the rest of a simple read's logging; a
 * debug call with debug off (TypeORM reports every query) must stay free.
 */
class RequestLogger {
  private real?: Logger;

  constructor(
    private readonly root: Logger,
    private readonly raw: IncomingMessage,
  ) {}

  get level(): string {
    return this.root.level;
  }

  isLevelEnabled(level: string): boolean {
    return this.root.isLevelEnabled(level);
  }

  /** The real child logger (made on first use). */
  target(): Logger {
    if (!this.real) {
      const context = resolveRequestContext(this.raw);
      this.real = this.root.child({ requestId: context.requestId, traceId: context.trace.traceId });
    }
    return this.real;
  }

  child(bindings: Record<string, unknown>): Logger {
    return this.target().child(bindings);
  }
}
for (const level of LEVELS) {
  (RequestLogger.prototype as unknown as Record<string, unknown>)[level] = function (this: RequestLogger, ...args: unknown[]) {
    if (!this.isLevelEnabled(level)) return;
    const target = this.target() as unknown as Record<string, (...a: unknown[]) => void>;
    target[level](...args);
  };
}

/** nestjs-pino's Store: `logger` is read for each line; PinoLogger.assign replaces it with a child. */
class RequestLogStore {
  logger: Logger;
  readonly responseLogger = undefined;

  constructor(root: Logger, raw: IncomingMessage) {
    this.logger = new RequestLogger(root, raw) as unknown as Logger;
  }
}

function completionLevel(reply: FastifyReply): Level {
  const chosen = responseLogLevelOf(reply.raw);
  if (chosen) return chosen;
  if (reply.statusCode >= 500) return 'error';
  if (reply.statusCode >= 400) return 'warn';
  return 'info';
}

/**
 * Per-request logging on Fastify's own hooks (what pino-http did as Nest middleware behind
 * @fastify/middie): log lines written while handling a request carry its requestId and traceId,
 * and each request but probes and scrapes ends with one `request completed` line (`request
 * errored` for a 5xx) at the level its status or the problem filter chose, built only when that
 * level is enabled. Registered first, so every later hook and the handler run in the request's
 * logging context.
 */
export function registerRequestLogging(fastify: FastifyInstance, root: Logger): void {
  fastify.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    storage.run(new RequestLogStore(root, request.raw) as unknown as Store, done);
  });
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const level = completionLevel(reply);
    if (root.isLevelEnabled(level) && !isOperationalRoute(request.raw.url)) {
      const context = resolveRequestContext(request.raw);
      const line: Record<string, unknown> = {
        requestId: context.requestId,
        traceId: context.trace.traceId,
        req: { method: request.raw.method, url: pathOf(request.raw.url) },
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime),
      };
      if (reply.statusCode >= 500) {
        line.err = new Error(`failed with status code ${reply.statusCode}`);
        root[level](line, 'request errored');
      } else {
        root[level](line, 'request completed');
      }
    }
    done();
  });
}
