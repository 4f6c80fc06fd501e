import { PublicRoute } from '../http/public-route.decorator';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Injection token of the app's own prom-client Registry (never the global one). */
export const METRICS_REGISTRY = 'puente:METRICS_REGISTRY';
export const HTTP_REQUEST_DURATION_METRIC = 'http_server_request_duration_seconds';

/** A fresh registry with default process metrics and the HTTP duration histogram. */
export function createMetricsRegistry(labels: { service: string; node?: string }): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: labels.service, ...(labels.node ? { node: labels.node } : {}) });
  collectDefaultMetrics({ register: registry });
  new Histogram({
    name: HTTP_REQUEST_DURATION_METRIC,
    help: 'Duration of HTTP requests handled by this service, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return registry;
}

/** Route pattern (e.g. `/v1/cases/:id`), never the raw URL; `unmatched` for 404s. */
export function routeLabel(request: FastifyRequest): string {
  if (request.is404) return 'unmatched';
  return request.routeOptions?.url ?? 'unmatched';
}

/** Observes every response (including 404/413/415 produced by Fastify itself). */
export function registerHttpMetrics(fastify: FastifyInstance, registry: Registry): void {
  const histogram = registry.getSingleMetric(HTTP_REQUEST_DURATION_METRIC) as Histogram<'method' | 'route' | 'status_code'>;
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    histogram.observe(
      { method: request.method, route: routeLabel(request), status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

@ApiExcludeController()
@PublicRoute()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
