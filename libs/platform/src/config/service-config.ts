import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Base configuration every Puente service reads from its environment.
 *
 * Upper-case properties are environment variables, validated with class-validator.
 * Lower-case properties are derived by `loadServiceConfig()` after validation.
 *
 * A service that needs more settings extends this class, adds validated properties
 * (with defaults as initializers) and passes its class as `config` to
 * `PlatformModule.forRoot()` and `bootstrapService()`.
 */
export class ServiceConfig {
  /** HTTP port; defaults to the service's entry in SERVICE_PORTS. */
  @IsOptional()
  @IsInt({ message: 'PORT must be an integer between 0 and 65535' })
  @Min(0, { message: 'PORT must be an integer between 0 and 65535' })
  @Max(65535, { message: 'PORT must be an integer between 0 and 65535' })
  PORT: number;

  @IsString()
  @MaxLength(255)
  HOST: string = '127.0.0.1';

  @IsIn(NODE_ENVS, { message: `NODE_ENV must be one of: ${NODE_ENVS.join(', ')}` })
  NODE_ENV: NodeEnv = 'development';

  /** Defaults to `silent` when NODE_ENV=test, else `info`. */
  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of: ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel;

  /** `json` or `pretty` (readable, coloured); unset: pretty on a terminal, else JSON; always JSON in production. */
  @IsOptional()
  @IsIn(LOG_FORMATS, { message: `LOG_FORMAT must be one of: ${LOG_FORMATS.join(', ')}` })
  LOG_FORMAT?: LogFormat;

  /** URL of the PostgreSQL server (any database on it); the service's own database is derived. */
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message: 'DATABASE_URL must be a postgres:// or postgresql:// URL',
  })
  DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/postgres';

  /** Prefix of per-service database names (`puente_intake`, `puente_test_intake`, ...). */
  @Matches(/^[a-z0-9_]{0,40}$/, {
    message: 'PUENTE_DB_PREFIX must contain only lower-case letters, digits and underscores (at most 40)',
  })
  PUENTE_DB_PREFIX: string = 'puente_';

  @Matches(/^[^\s,]+:\d{1,5}(,[^\s,]+:\d{1,5})*$/, {
    message: 'KAFKA_BROKERS must be a comma-separated list of host:port',
  })
  KAFKA_BROKERS: string = '127.0.0.1:9092';

  /** ISO 3166-1 alpha-2 code of this country node. */
  @Matches(/^[A-Z]{2}$/, { message: 'PUENTE_NODE must be an ISO 3166-1 alpha-2 country code such as GT' })
  PUENTE_NODE: string = 'GT';

  /** Maximum accepted request body size in bytes. */
  @IsInt({ message: 'BODY_LIMIT_BYTES must be an integer between 1024 and 67108864' })
  @Min(1024, { message: 'BODY_LIMIT_BYTES must be an integer between 1024 and 67108864' })
  @Max(64 * 1024 * 1024, { message: 'BODY_LIMIT_BYTES must be an integer between 1024 and 67108864' })
  BODY_LIMIT_BYTES: number = 1024 * 1024;

  // ---- derived (set by loadServiceConfig, not read from the environment) ----

  /** Service name, e.g. `referral-routing`. */
  serviceName: string;
  /** Name of the service's own database, e.g. `puente_referral_routing`. */
  databaseName: string;
  /** Connection URL of the service's own database. */
  databaseUrl: string;
  /** True when `<SERVICE>_DATABASE_URL` supplied the URL (the database is then not created). */
  databaseUrlOverridden: boolean;
  /** KAFKA_BROKERS split into a list. */
  kafkaBrokers: string[];
}

export type ServiceConfigClass<T extends ServiceConfig = ServiceConfig> = new () => T;
