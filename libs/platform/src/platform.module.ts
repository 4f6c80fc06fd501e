import { type DynamicModule, Module, type ModuleMetadata, type Provider } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { DataSourceOptions } from 'typeorm';
import { loadServiceConfig } from './config/load-config';
import { ServiceConfig, type ServiceConfigClass } from './config/service-config';
import { ensureDatabase } from './database/ensure-database';
import { initializeDataSourceLocked } from './database/migration-lock';
import { buildTypeOrmOptions, type EntityClass, type MigrationClass } from './database/typeorm-options';
import { IdempotencyPruner } from './conventions/idempotency/idempotency.pruner';
import { IdempotencyStore } from './conventions/idempotency/idempotency.store';
import type { RateLimitOptions } from './conventions/rate-limit/rate-limit.config';
import { RateLimitModule } from './conventions/rate-limit/rate-limit.module';
import { HealthController } from './health/health.controller';
import { ProblemDetailsFilter } from './http/problem.filter';
import { createValidationPipe } from './http/validation';
import { buildLoggerParams } from './observability/logging';
import { createMetricsRegistry, METRICS_REGISTRY, MetricsController } from './observability/metrics';

/** Injection token of the options given to PlatformModule.forRoot(). */
export const PLATFORM_OPTIONS = 'puente:PLATFORM_OPTIONS';
/** @nestjs/config namespace under which the validated ServiceConfig is registered. */
export const SERVICE_CONFIG_NAMESPACE = 'service';

export interface PlatformModuleOptions<C extends ServiceConfig = ServiceConfig> {
  /** Service name in kebab-case, e.g. `referral-routing`. */
  service: string;
  /** Explicit TypeORM entity classes (no globs). */
  entities: readonly EntityClass[];
  /** Explicit TypeORM migration classes (no globs); run at startup. */
  migrations: readonly MigrationClass[];
  /** Extra modules (for example the messaging module that provides BROKER_PROBE). */
  imports?: ModuleMetadata['imports'];
  /** Config class extending ServiceConfig; injectable under both class tokens. */
  config?: ServiceConfigClass<C>;
  /** PORT when the environment has none (default: SERVICE_PORTS[service]). */
  defaultPort?: number;
  /** Where JSON logs go (default stdout); tests pass a capturing stream. */
  logDestination?: DestinationStream;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /**
   * Per-client rate limit default of this service (600 requests per minute);
   * the RATE_LIMIT_PER_MINUTE environment variable overrides it, 0 disables it.
   */
  rateLimit?: RateLimitOptions;
}

@Module({})
class PlatformConfigModule {}

@Module({})
export class PlatformModule {
  /**
   * Everything a service needs around its features: validated config (ServiceConfig),
   * pino logging, its own PostgreSQL database (created if missing, explicit migrations run),
   * health and metrics endpoints, the global ValidationPipe and the problem+json filter,
   * per-client rate limiting, and the IdempotencyStore behind `@Idempotent()` (whose table
   * comes with `platformEntities`/`platformMigrations`).
   */
  static forRoot<C extends ServiceConfig = ServiceConfig>(options: PlatformModuleOptions<C>): DynamicModule {
    const configClass = (options.config ?? ServiceConfig) as ServiceConfigClass<C>;
    const serviceConfigFactory = registerAs(SERVICE_CONFIG_NAMESPACE, () =>
      loadServiceConfig(options.service, configClass, process.env, { defaultPort: options.defaultPort }),
    );
    const configProviders: Provider[] = [
      { provide: PLATFORM_OPTIONS, useValue: options },
      { provide: ServiceConfig, useFactory: (config: C) => config, inject: [serviceConfigFactory.KEY] },
    ];
    const configExports: (string | ServiceConfigClass<ServiceConfig>)[] = [PLATFORM_OPTIONS, ServiceConfig];
    if (configClass !== (ServiceConfig as unknown)) {
      configProviders.push({ provide: configClass, useExisting: ServiceConfig });
      configExports.push(configClass);
    }
    const configModule: DynamicModule = {
      module: PlatformConfigModule,
      global: true,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: process.env.NODE_ENV === 'test',
          envFilePath: ['.env'],
          load: [serviceConfigFactory],
        }),
      ],
      providers: configProviders,
      exports: configExports,
    };

    return {
      module: PlatformModule,
      global: true,
      imports: [
        configModule,
        LoggerModule.forRootAsync({
          imports: [configModule],
          inject: [ServiceConfig],
          useFactory: (config: ServiceConfig) => buildLoggerParams(config, { destination: options.logDestination }),
        }),
        TypeOrmModule.forRootAsync({
          imports: [configModule],
          inject: [ServiceConfig],
          useFactory: async (config: ServiceConfig) => {
            if (!config.databaseUrlOverridden) await ensureDatabase(config.DATABASE_URL, config.databaseName);
            return buildTypeOrmOptions(config, {
              entities: options.entities,
              migrations: options.migrations,
              poolSize: options.poolSize,
            });
          },
          dataSourceFactory: async (dataSourceOptions?: DataSourceOptions) => {
            if (!dataSourceOptions) throw new Error('TypeORM options are missing');
            const url = (dataSourceOptions as { url?: string }).url as string;
            return initializeDataSourceLocked(url, dataSourceOptions);
          },
        }),
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
        RateLimitModule.forRoot(options.rateLimit),
        ...(options.imports ?? []),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        {
          provide: METRICS_REGISTRY,
          inject: [ServiceConfig],
          useFactory: (config: ServiceConfig) =>
            createMetricsRegistry({ service: config.serviceName, node: config.PUENTE_NODE }),
        },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        IdempotencyStore,
        IdempotencyPruner,
      ],
      exports: [METRICS_REGISTRY, IdempotencyStore],
    };
  }
}
