import { createServiceApp } from '../bootstrap';
import { SERVICE_PORTS } from '../constants';
import { SPEC_SERVICE, widgetAppModule } from '../spec/widget.fixture';
import { IsString, MinLength } from 'class-validator';
import { ConfigValidationError, loadServiceConfig, redactUrl, serviceDatabaseUrlVariable, withDatabase } from './load-config';
import { ServiceConfig } from './service-config';

describe('loadServiceConfig', () => {
  it('applies defaults and derives the per-service database', () => {
    const config = loadServiceConfig('referral-routing', ServiceConfig, {});
    expect(config).toMatchObject({
      PORT: SERVICE_PORTS['referral-routing'],
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      KAFKA_BROKERS: '127.0.0.1:9092',
      PUENTE_NODE: 'GT',
      BODY_LIMIT_BYTES: 1024 * 1024,
      serviceName: 'referral-routing',
      databaseName: 'puente_referral_routing',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/puente_referral_routing',
      databaseUrlOverridden: false,
      kafkaBrokers: ['127.0.0.1:9092'],
    });
  });

  it('converts and uses environment values; silent logs under NODE_ENV=test', () => {
    const config = loadServiceConfig('intake', ServiceConfig, {
      PORT: '4100',
      NODE_ENV: 'test',
      PUENTE_DB_PREFIX: 'puente_test_',
      DATABASE_URL: 'postgresql://app:s3cret@db.internal:6543/postgres?sslmode=require',
      KAFKA_BROKERS: 'k1:9092,k2:9093',
      PUENTE_NODE: 'MX',
      UNRELATED: 'ignored',
    });
    expect(config.PORT).toBe(4100);
    expect(config.LOG_LEVEL).toBe('silent');
    expect(config.databaseName).toBe('puente_test_intake');
    expect(config.databaseUrl).toBe('postgresql://app:s3cret@db.internal:6543/puente_test_intake?sslmode=require');
    expect(config.kafkaBrokers).toEqual(['k1:9092', 'k2:9093']);
    expect(config.PUENTE_NODE).toBe('MX');
    expect(config).not.toHaveProperty('UNRELATED');
  });

  it('uses <SERVICE>_DATABASE_URL as is when set', () => {
    expect(serviceDatabaseUrlVariable('referral-routing')).toBe('REFERRAL_ROUTING_DATABASE_URL');
    const config = loadServiceConfig('referral-routing', ServiceConfig, {
      REFERRAL_ROUTING_DATABASE_URL: 'postgres://u@h:5432/routing_prod',
    });
    expect(config.databaseUrl).toBe('postgres://u@h:5432/routing_prod');
    expect(config.databaseName).toBe('routing_prod');
    expect(config.databaseUrlOverridden).toBe(true);
  });

  it('rejects an invalid PORT with a clear message', () => {
    expect(() => loadServiceConfig('intake', ServiceConfig, { PORT: 'eighty' })).toThrow(
      /Invalid configuration for service "intake":\n {2}- PORT must be an integer between 0 and 65535/,
    );
    expect(() => loadServiceConfig('intake', ServiceConfig, { PORT: '70000' })).toThrow(ConfigValidationError);
  });

  it('lists every bad variable at once and never prints their values', () => {
    let error: ConfigValidationError | undefined;
    try {
      loadServiceConfig('intake', ServiceConfig, {
        PORT: '-1',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://root:topsecret@x/y',
        KAFKA_BROKERS: 'no-port',
        PUENTE_NODE: 'gt',
        NODE_ENV: 'staging',
      });
    } catch (e) {
      error = e as ConfigValidationError;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error?.issues.map((i) => i.variable).sort()).toEqual(
      ['DATABASE_URL', 'KAFKA_BROKERS', 'LOG_LEVEL', 'NODE_ENV', 'PORT', 'PUENTE_NODE'].sort(),
    );
    expect(error?.message).not.toContain('topsecret');
    expect(error?.message).not.toMatch(/^\s+at /m);
  });

  it('lets a service extend the config class', () => {
    class IntakeConfig extends ServiceConfig {
      @IsString()
      @MinLength(32)
      INTAKE_KEK: string;
    }
    expect(() => loadServiceConfig('intake', IntakeConfig, {})).toThrow(/INTAKE_KEK must be longer than or equal to 32/);
    const config = loadServiceConfig('intake', IntakeConfig, { INTAKE_KEK: 'k'.repeat(32), PORT: '1' });
    expect(config).toBeInstanceOf(IntakeConfig);
    expect(config.INTAKE_KEK).toBe('k'.repeat(32));
    expect(config.PORT).toBe(1);
  });

  it('rejects bad service names', () => {
    expect(() => loadServiceConfig('Intake Service', ServiceConfig, {})).toThrow(ConfigValidationError);
  });

  it('helpers: withDatabase and redactUrl', () => {
    expect(withDatabase('postgres://u:p@h:1/postgres', 'x_y')).toBe('postgres://u:p@h:1/x_y');
    expect(redactUrl('postgres://u:p@h:1/db')).toBe('postgres://u:***@h:1/db');
  });
});

describe('createServiceApp with invalid configuration', () => {
  const previous = process.env.PORT;
  afterEach(() => {
    if (previous === undefined) delete process.env.PORT;
    else process.env.PORT = previous;
  });

  it('fails before touching anything, with the list of bad variables', async () => {
    process.env.PORT = '99999';
    await expect(
      createServiceApp({ service: SPEC_SERVICE, module: widgetAppModule(), title: 't', description: 'd', shutdownHooks: false }),
    ).rejects.toThrow(/PORT must be an integer between 0 and 65535/);
  });
});
