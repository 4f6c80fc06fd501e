import { hostname } from 'node:os';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino, { type DestinationStream } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { LogFormat, ServiceConfig } from '../config/service-config';
import { sqlStateOf } from '../database/database-errors';
import { resolveRequestContext } from './request-context';

/** Body/log fields that hold personal data. They are redacted wherever they appear (up to 4 levels deep). */
export const PII_FIELD_NAMES = [
  'name',
  'givenName',
  'familyName',
  'names',
  'birthDate',
  'dateOfBirth',
  'phone',
  'email',
  'address',
  'documentNumber',
  'documents',
] as const;

/** Paths pino redacts from every log line (credentials and personal data). */
export const PII_REDACT_PATHS: readonly string[] = Object.freeze([
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  ...PII_FIELD_NAMES.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]),
]);

export const REDACTED = '[REDACTED]';

/** Identifier fields of a PostgreSQL error that name schema objects, never values. */
const DATABASE_IDENTIFIER_FIELDS = ['constraint', 'table', 'column', 'schema', 'routine'] as const;

/**
 * The `err` serializer of every log line: type, code, message and stack frames, and never what
 * may quote data. A database error's message and detail can echo values (`Key (x)=(...)`,
 * `invalid input syntax ...: "..."`) and TypeORM's QueryFailedError carries the query and its
 * parameters, so for those only the SQLSTATE and the names of the objects involved are kept.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  // Duck-typed: errors from another realm (a vm context, a worker) fail `instanceof Error`.
  if (typeof error !== 'object' || error === null || typeof (error as { message?: unknown }).message !== 'string') return { type: typeof error };
  const record = error as Error & Record<string, unknown>;
  const sqlState = sqlStateOf(error);
  const driver = (record.driverError ?? error) as Record<string, unknown>;
  const fromDatabase = sqlState !== undefined || 'driverError' in record || 'parameters' in record || 'query' in record;
  const out: Record<string, unknown> = { type: record.constructor?.name || record.name || 'Error' };
  const code = sqlState ?? (typeof record.code === 'string' ? record.code : undefined);
  if (code) out.code = code;
  if (fromDatabase) {
    out.message = `database error${sqlState ? ` ${sqlState}` : ''}`;
    for (const field of DATABASE_IDENTIFIER_FIELDS) if (typeof driver[field] === 'string') out[field] = driver[field];
  } else {
    out.message = record.message;
  }
  // Frames only: the stack's first lines repeat the message.
  const frames = (typeof record.stack === 'string' ? record.stack : '').split('\n').filter((line) => /^\s+at /.test(line));
  if (frames.length > 0) out.stack = frames.join('\n');
  if (record.cause !== undefined && depth < 3) out.cause = serializeError(record.cause, depth + 1);
  return out;
}

export function pathOf(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Requests that are not logged on completion (probes and scrapes). */
export function isOperationalRoute(url: string | undefined): boolean {
  return /^\/(health\/(live|ready|serving)|metrics)\/?$/.test(pathOf(url));
}

/** The level a response's request log line takes when the code that answered knows better. */
const responseLogLevels = new WeakMap<object, 'warn' | 'error'>();

/**
 * The problem filter says how bad an answered error is (an operator alerts on level=error, so
 * error means a human is needed); the request log line then uses the same level.
 */
export function setResponseLogLevel(res: object, level: 'warn' | 'error'): void {
  responseLogLevels.set(res, level);
}

/** The level the problem filter chose for this response, if it did. */
export function responseLogLevelOf(res: object): 'warn' | 'error' | undefined {
  return responseLogLevels.get(res);
}

export interface LoggingOptions {
  /** Where JSON log lines go; stdout when omitted. Tests pass a capturing stream. */
  destination?: DestinationStream;
}

/**
 * pino-http options shared by every service: JSON lines with `service` and `node`,
 * ISO time, `requestId` and `traceId` on request logs, PII redaction, and no request
 * bodies, headers or query strings at all.
 */
export function buildPinoHttpOptions(config: ServiceConfig): PinoHttpOptions {
  return {
    level: config.LOG_LEVEL,
    base: { service: config.serviceName, node: config.PUENTE_NODE, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...PII_REDACT_PATHS], censor: REDACTED },
    genReqId: (req: IncomingMessage) => resolveRequestContext(req).requestId,
    customAttributeKeys: { reqId: 'requestId' },
    quietReqLogger: true,
    customProps: (req: IncomingMessage) => ({ traceId: resolveRequestContext(req).trace.traceId }),
    serializers: {
      err: serializeError,
      req: (req: { method?: string; url?: string }) => ({ method: req.method, url: pathOf(req.url) }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    // middie rewrites req.url relative to the middleware mount path; originalUrl is the real one.
    autoLogging: {
      ignore: (req: IncomingMessage) => isOperationalRoute((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => {
      const chosen = responseLogLevels.get(res);
      if (chosen) return chosen;
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
  };
}

/**
 * JSON lines for machines (production, log shippers, files and pipes), readable lines for a person
 * at a terminal. Production is always JSON: its logs are parsed, and pino-pretty is a development
 * dependency.
 */
export function logFormatOf(config: Pick<ServiceConfig, 'LOG_FORMAT' | 'NODE_ENV'>, stdoutIsTerminal = Boolean(process.stdout.isTTY)): LogFormat {
  if (config.NODE_ENV === 'production') return 'json';
  return config.LOG_FORMAT ?? (stdoutIsTerminal ? 'pretty' : 'json');
}

/**
 * One line per record: time, level, [context] message, and for requests method, path, status and
 * duration; the fields every line shares (service, node, pid, host, trace) left out. Colours when
 * the terminal supports them (or FORCE_COLOR is set, as `npm start` does for its children).
 */
export function prettyLogStream(): DestinationStream {
  // Loaded only when asked for: a development dependency, absent from production images.
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  return pretty({
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,node,context,req,res,responseTime,traceId',
    messageFormat: '{if context}[{context}] {end}{msg}{if req.method} {req.method} {req.url}{end}{if res.statusCode} {res.statusCode}{end}{if responseTime} {responseTime} ms{end}',
    singleLine: true,
    sync: true,
  });
}

/**
 * nestjs-pino module parameters for a service: the service's root pino logger (the options of
 * buildPinoHttpOptions), and no Nest middleware. Requests are logged by registerRequestLogging
 * on Fastify hooks instead (pino-http behind @fastify/middie made a redacting child logger per
 * request, measured at about 10% of an authenticated GET).
 */
export function buildLoggerParams(config: ServiceConfig, options: LoggingOptions = {}): Params {
  const { level, base, timestamp, formatters, redact, serializers } = buildPinoHttpOptions(config);
  const destination = options.destination ?? (logFormatOf(config) === 'pretty' ? prettyLogStream() : undefined);
  const root = pino({ level, base, timestamp, formatters, redact, serializers }, destination);
  return { pinoHttp: { logger: root }, forRoutes: [], renameContext: 'context' };
}

/** The root logger in parameters made by buildLoggerParams. */
export function rootLoggerOf(params: Params): pino.Logger {
  return (params.pinoHttp as { logger: pino.Logger }).logger;
}
