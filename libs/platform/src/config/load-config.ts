import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { SERVICE_PORTS } from '../constants';
import { ServiceConfig, type ServiceConfigClass } from './service-config';

export interface ConfigIssue {
  variable: string;
  messages: string[];
}

/** Thrown when the environment does not satisfy the service's config class. */
export class ConfigValidationError extends Error {
  override readonly name = 'ConfigValidationError';

  constructor(
    readonly service: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `Invalid configuration for service "${service}":\n` +
        issues.map((i) => `  - ${i.messages.join('; ')}`).join('\n'),
    );
  }
}

/** `referral-routing` → `referral_routing`. */
export function serviceSlug(service: string): string {
  return service.replace(/-/g, '_');
}

/** `referral-routing` → `REFERRAL_ROUTING_DATABASE_URL`. */
export function serviceDatabaseUrlVariable(service: string): string {
  return `${serviceSlug(service).toUpperCase()}_DATABASE_URL`;
}

/** Replaces the database (path) of a PostgreSQL URL. */
export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** Removes the password from a connection URL so it can be shown in messages. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<unparseable url>';
  }
}

function variablesOf(cls: ServiceConfigClass<ServiceConfig>): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

function issuesFrom(errors: ValidationError[]): ConfigIssue[] {
  return errors.map((e) => ({
    variable: e.property,
    messages: [...new Set(Object.values(e.constraints ?? { invalid: `${e.property} is invalid` }))],
  }));
}

export interface LoadServiceConfigOptions {
  /** Port used when PORT is not set; defaults to SERVICE_PORTS[service] or 3000. */
  defaultPort?: number;
}

/**
 * Reads, converts and validates the service configuration from `env`
 * (only the variables the config class declares), then derives the database
 * name/URL and broker list. Throws ConfigValidationError listing every bad variable.
 */
export function loadServiceConfig<T extends ServiceConfig = ServiceConfig>(
  service: string,
  cls: ServiceConfigClass<T> = ServiceConfig as unknown as ServiceConfigClass<T>,
  env: NodeJS.ProcessEnv = process.env,
  options: LoadServiceConfigOptions = {},
): T {
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(service)) {
    throw new ConfigValidationError(service, [
      { variable: 'service', messages: ['service name must be lower-case kebab-case (a-z, 0-9, -), at most 40 characters'] },
    ]);
  }
  const raw: Record<string, string> = {};
  for (const key of variablesOf(cls)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(cls, raw, { enableImplicitConversion: true });
  const errors = validateSync(config, { forbidUnknownValues: false, validationError: { target: false, value: false } });
  if (errors.length > 0) throw new ConfigValidationError(service, issuesFrom(errors));

  if (config.PORT === undefined) {
    config.PORT = options.defaultPort ?? (SERVICE_PORTS as Record<string, number>)[service] ?? 3000;
  }
  if (config.LOG_LEVEL === undefined) {
    config.LOG_LEVEL = config.NODE_ENV === 'test' ? 'silent' : 'info';
  }
  config.serviceName = service;
  config.kafkaBrokers = config.KAFKA_BROKERS.split(',').map((b) => b.trim());

  const overrideVariable = serviceDatabaseUrlVariable(service);
  const override = env[overrideVariable];
  if (override) {
    if (!/^postgres(ql)?:\/\/\S+$/.test(override)) {
      throw new ConfigValidationError(service, [
        { variable: overrideVariable, messages: [`${overrideVariable} must be a postgres:// or postgresql:// URL`] },
      ]);
    }
    config.databaseUrl = override;
    config.databaseName = decodeURIComponent(new URL(override).pathname.replace(/^\//, '')) || 'postgres';
    config.databaseUrlOverridden = true;
  } else {
    config.databaseName = `${config.PUENTE_DB_PREFIX}${serviceSlug(service)}`;
    try {
      config.databaseUrl = withDatabase(config.DATABASE_URL, config.databaseName);
    } catch {
      throw new ConfigValidationError(service, [
        { variable: 'DATABASE_URL', messages: ['DATABASE_URL must be a parseable postgres:// URL'] },
      ]);
    }
    config.databaseUrlOverridden = false;
  }
  return config;
}
