export { SERVICE_PORTS, type ServiceName, GLOBAL_PREFIX, UNPREFIXED_ROUTES, DOCS_PATH, OPENAPI_JSON_PATH, DEFAULT_BODY_LIMIT_BYTES } from './constants';
export {
  ServiceConfig,
  type ServiceConfigClass,
  NODE_ENVS,
  type NodeEnv,
  LOG_LEVELS,
  type LogLevel,
} from './config/service-config';
export {
  loadServiceConfig,
  type LoadServiceConfigOptions,
  ConfigValidationError,
  type ConfigIssue,
  serviceSlug,
  serviceDatabaseUrlVariable,
  withDatabase,
  redactUrl,
} from './config/load-config';
export { ensureDatabase, quoteIdentifier, DatabaseUnavailableError } from './database/ensure-database';
export { withMigrationLock, initializeDataSourceLocked, MIGRATION_LOCK_KEY } from './database/migration-lock';
export { assertCteName, composeStatement, type StatementPart, type ComposedStatement } from './database/statement';
export { preparedStatementName, queryPrepared } from './database/prepared';
export { isConcurrencyAbort, isDatabaseUnavailable, isUniqueViolation, sqlStateOf } from './database/database-errors';
export { buildTypeOrmOptions, type DatabaseOptions, type EntityClass, type MigrationClass } from './database/typeorm-options';
export {
  ProblemException,
  type ProblemExceptionOptions,
  type ProblemDetails,
  type FieldError,
  PROBLEM_TYPE_BASE,
  PROBLEM_CONTENT_TYPE,
  ProblemTypes,
  problemTypeUri,
  defaultProblemFor,
} from './http/problem';
export { ProblemDetailsDto, FieldErrorDto } from './http/problem.dto';
export { ProblemDetailsFilter, renderProblem, sendProblem } from './http/problem.filter';
export { createValidationPipe, PlatformValidationPipe, flattenValidationErrors, validationProblem, IsOptionalNotNull } from './http/validation';
export { CurrentRequestContext } from './http/request-context.decorator';
export { configureBodyParsers, type BodyParserOptions } from './http/body-parsers';
export { setupSwagger, buildOpenApiDocument, type SwaggerInfo } from './http/swagger';
export {
  ASYNCAPI_DOCUMENT,
  ASYNCAPI_JSON_PATH,
  EXCHANGE_ASYNCAPI_DOCUMENT,
  EXCHANGE_ASYNCAPI_JSON_PATH,
  serveAsyncApi,
  type AsyncApiSource,
} from './http/asyncapi';
export {
  PII_REDACT_PATHS,
  PII_FIELD_NAMES,
  REDACTED,
  buildPinoHttpOptions,
  buildLoggerParams,
  serializeError,
  type LoggingOptions,
} from './observability/logging';
export {
  REQUEST_ID_HEADER,
  TRACEPARENT_HEADER,
  type RequestContext,
  type TraceContext,
  getRequestContext,
  resolveRequestContext,
  parseTraceparent,
  formatTraceparent,
  continueTrace,
  sanitizeRequestId,
} from './observability/request-context';
export {
  METRICS_REGISTRY,
  HTTP_REQUEST_DURATION_METRIC,
  createMetricsRegistry,
  registerHttpMetrics,
  routeLabel,
  MetricsController,
} from './observability/metrics';
export { BROKER_PROBE, type BrokerProbe } from './health/broker-probe';
export { HealthController } from './health/health.controller';
export { PlatformModule, type PlatformModuleOptions, PLATFORM_OPTIONS, SERVICE_CONFIG_NAMESPACE } from './platform.module';
export {
  bootstrapService,
  createServiceApp,
  describeStartupFailure,
  EVENT_TRANSPORT,
  type EventTransportConnector,
  type ServiceAppOptions,
} from './bootstrap';
export { PublicRoute, PUBLIC_ROUTE } from './http/public-route.decorator';
export * from './conventions';
export { AccessDenials, type AccessDenialReason } from './access/access-denials';
export { LogCapture } from './observability/log-capture';
export { eventually } from './testing/eventually';
export { ScheduledSweep, ScheduledSweeper, type ScheduledSweepOptions } from './scheduling/scheduled-sweep';
