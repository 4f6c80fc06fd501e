import { PublicRoute } from '../http/public-route.decorator';
import { Controller, Get, Inject, Optional, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorFunction,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { ProblemException, ProblemTypes } from '../http/problem';
import { BROKER_PROBE, type BrokerProbe } from './broker-probe';

const CHECK_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

@ApiTags('operations')
@PublicRoute()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Optional() @Inject(BROKER_PROBE) private readonly broker?: BrokerProbe,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database (and the Kafka broker, when used) answer' })
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [this.database()];
    if (this.broker) checks.push(() => this.kafka(this.broker as BrokerProbe));
    return this.check(checks, 'Service not ready');
  }

  /**
   * For a load balancer's readiness probe: only what a request needs. A Kafka outage does not
   * stop the API (writes keep their events in the outbox), so it must not take every instance
   * out of rotation; /health/ready still reports it, for monitoring.
   */
  @Get('serving')
  @ApiOperation({ summary: 'Serving: this instance can answer API calls (its database answers; Kafka is not needed)' })
  @HealthCheck()
  serving(): Promise<HealthCheckResult> {
    return this.check([this.database()], 'Service cannot serve');
  }

  private database(): HealthIndicatorFunction {
    return () => this.db.pingCheck('database', { timeout: CHECK_TIMEOUT_MS });
  }

  private async check(checks: HealthIndicatorFunction[], title: string): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        const result = error.getResponse() as Partial<HealthCheckResult>;
        throw new ProblemException(
          503,
          ProblemTypes.SERVICE_UNAVAILABLE,
          title,
          'One or more dependencies are unavailable.',
          { info: result.info ?? {}, error: result.error ?? {}, details: result.details ?? {} },
          { headers: { 'Retry-After': '5' } },
        );
      }
      throw error;
    }
  }

  private async kafka(probe: BrokerProbe): Promise<HealthIndicatorResult<'kafka'>> {
    const indicator = this.indicators.check('kafka');
    try {
      await withTimeout(probe.check(), CHECK_TIMEOUT_MS);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : 'unreachable' });
    }
  }
}
