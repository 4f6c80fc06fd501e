import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger, PARAMS_PROVIDER_TOKEN, type Params as LoggerParams } from 'nestjs-pino';
import type { Registry } from 'prom-client';
import { ConfigValidationError, loadServiceConfig } from './config/load-config';
import { ServiceConfig, type ServiceConfigClass } from './config/service-config';
import { registerEtagHooks } from './conventions/etag/etag.decorators';
import { resolveRateLimitSettings } from './conventions/rate-limit/rate-limit.config';
import { DOCS_PATH, GLOBAL_PREFIX, UNPREFIXED_ROUTES } from './constants';
import { DatabaseUnavailableError } from './database/ensure-database';
import { configureBodyParsers } from './http/body-parsers';
import { problemClientErrorHandler } from './http/client-errors';
import { refuseUnstorableText } from './http/input-encoding';
import { sendProblem } from './http/problem.filter';
import { serveAsyncApi } from './http/asyncapi';
import { setupSwagger } from './http/swagger';
import { rootLoggerOf } from './observability/logging';
import { METRICS_REGISTRY, registerHttpMetrics } from './observability/metrics';
import { registerRequestLogging } from './observability/request-logging';
import {
  getRequestContext,
  REQUEST_ID_HEADER,
  resolveRequestContext,
  TRACEPARENT_HEADER,
} from './observability/request-context';

export interface ServiceAppOptions<C extends ServiceConfig = ServiceConfig> {
  /** Service name in kebab-case (same as in PlatformModule.forRoot). */
  service: string;
  /** The service's root module (importing PlatformModule.forRoot). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  module: Type<any> | DynamicModule;
  /** OpenAPI title, description and version. */
  title: string;
  description: string;
  version?: string;
  /** Port when PORT is not set (default SERVICE_PORTS[service]). */
  port?: number;
  /** Config class when the service extends ServiceConfig (validated before anything starts). */
  config?: ServiceConfigClass<C>;
  /** Keep raw request bytes on `request.rawBody` (webhook signature checks). */
  rawBody?: boolean;
  /** Register SIGINT/SIGTERM handlers that close the app gracefully (default true). */
  shutdownHooks?: boolean;
}

/**
 * Injection token under which libs/messaging provides its event transport (a Nest custom
 * transport strategy serving the app's `@EventPattern` handlers from Kafka); createServiceApp
 * connects it, so every service and test app consumes its events the same way.
 */
export const EVENT_TRANSPORT = 'puente:EVENT_TRANSPORT';

export interface EventTransportConnector {
  /** Connects the strategy to `app` as a hybrid microservice, before `init`. */
  connectTo(app: INestApplication): void;
}

function eventTransportOf(app: INestApplication): EventTransportConnector | null {
  try {
    return app.get<EventTransportConnector>(EVENT_TRANSPORT, { strict: false });
  } catch {
    return null; // no messaging module: nothing to consume
  }
}

/** Content-Security-Policy that Swagger UI (served without inline scripts) works under. */
const HELMET_OPTIONS = {
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      upgradeInsecureRequests: null,
    },
  },
};

type HelmetMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * helmet's headers, applied in an onRequest hook to every response and to the ones Fastify sends
 * before any hook runs (frameworkErrors). With these options every header is the same on every
 * response, so helmet runs once, against a recording response, and each request gets the
 * recorded headers (running its chain of twelve middlewares per request was ~5% of a simple GET;
 * @fastify/helmet even rebuilds the chain per request).
 */
function securityHeadersMiddleware(): HelmetMiddleware {
  const headers: [string, string | number | readonly string[]][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.push([name, value]),
    removeHeader: (name: string) => removed.push(name),
  };
  let failure: unknown;
  (helmet(HELMET_OPTIONS) as HelmetMiddleware)({} as IncomingMessage, recorder as unknown as ServerResponse, (error) => {
    failure = error;
  });
  if (failure) throw failure;
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}

function validatedConfig<C extends ServiceConfig>(options: ServiceAppOptions<C>): C {
  const config = loadServiceConfig(options.service, options.config, process.env, { defaultPort: options.port });
  // Environment settings read by PlatformModule's own parts fail here too, before anything starts.
  resolveRateLimitSettings(options.service, process.env);
  return config;
}

async function createApp<C extends ServiceConfig>(options: ServiceAppOptions<C>, config: C): Promise<NestFastifyApplication> {
  const securityHeaders = securityHeadersMiddleware();
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: false,
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => resolveRequestContext(req).requestId,
    return503OnClosing: true,
    // Requests Node's HTTP parser refuses (oversized headers, control bytes): problem+json too.
    clientErrorHandler: problemClientErrorHandler,
    // Errors Fastify answers before any hook or Nest handler runs (e.g. a bad URL encoding).
    // The onRequest hooks (trace headers, helmet) do not run for these, so apply them here.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      void reply.header(TRACEPARENT_HEADER, getRequestContext(request).trace.traceparent);
      securityHeaders(request.raw, reply.raw, () => undefined);
      sendProblem(request, reply, error);
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    bufferLogs: true,
    autoFlushLogs: false,
    abortOnError: false,
    bodyParser: false,
  });
  try {
    app.useLogger(app.get(Logger));
    app.flushLogs();
    const fastify = app.getHttpAdapter().getInstance();
    // First: every later hook, guard and handler logs in the request's context.
    registerRequestLogging(fastify, rootLoggerOf(app.get<LoggerParams>(PARAMS_PROVIDER_TOKEN)));
    configureBodyParsers(fastify, { rawBody: options.rawBody });
    // NUL bytes, invalid UTF-8 and lone surrogates are a 400 before any guard, handler or query.
    fastify.addHook('preValidation', refuseUnstorableText);
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const context = getRequestContext(request);
      void reply.header(REQUEST_ID_HEADER, context.requestId);
      void reply.header(TRACEPARENT_HEADER, context.trace.traceparent);
      done();
    });
    registerHttpMetrics(fastify, app.get<Registry>(METRICS_REGISTRY));
    registerEtagHooks(fastify);
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
      securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined));
    });
    app.setGlobalPrefix(GLOBAL_PREFIX, {
      exclude: UNPREFIXED_ROUTES.map((path) => ({ path, method: RequestMethod.ALL })),
    });
    setupSwagger(app, { title: options.title, description: options.description, version: options.version });
    serveAsyncApi(app, fastify, { title: options.title, description: options.description, version: options.version });
    if (options.shutdownHooks !== false) app.enableShutdownHooks();
    eventTransportOf(app)?.connectTo(app);
    await app.init();
    await app.startAllMicroservices();
    await fastify.ready();
    return app;
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Builds a fully configured service app (validated config, Fastify with body limit,
 * helmet, `/v1` prefix, validation, problem+json, Swagger, health, metrics) without
 * listening. Tests call `app.listen(0, '127.0.0.1')` or `app.inject()` on the result.
 */
export async function createServiceApp<C extends ServiceConfig = ServiceConfig>(
  options: ServiceAppOptions<C>,
): Promise<NestFastifyApplication> {
  return createApp(options, validatedConfig(options));
}

/** One-line explanation for known startup failures; stack only for unexpected ones. */
export function describeStartupFailure(service: string, error: unknown): string {
  if (error instanceof ConfigValidationError || error instanceof DatabaseUnavailableError) {
    return `${service} cannot start. ${error.message}`;
  }
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    return `${service} cannot start: ${(error as Error).message}. Set PORT (and HOST) to a free address.`;
  }
  return `${service} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

/**
 * Starts a service: createServiceApp() then listen on HOST:PORT. Exits the process
 * with status 1 and one clear message when the configuration, database or port is bad.
 */
export async function bootstrapService<C extends ServiceConfig = ServiceConfig>(
  options: ServiceAppOptions<C>,
): Promise<NestFastifyApplication> {
  let config: C;
  let app: NestFastifyApplication;
  try {
    config = validatedConfig(options);
    app = await createApp(options, config);
  } catch (error) {
    process.stderr.write(`${describeStartupFailure(options.service, error)}\n`);
    process.exit(1);
  }
  try {
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    await app.close().catch(() => undefined);
    process.stderr.write(`${describeStartupFailure(options.service, error)}\n`);
    process.exit(1);
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  const url = `http://${host}:${port}`;
  app.get(Logger).log(`${options.service} listening on ${url} (API docs: ${url}/${DOCS_PATH})`, 'Bootstrap');
  return app;
}
