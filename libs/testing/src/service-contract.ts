import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@puente/platform';
import { validateAsyncApi } from './asyncapi';

export interface ServiceUnderTest {
  SERVICE: { name: string; title: string; description: string };
  AppModule: Type<unknown>;
}

/**
 * What every Puente service answers, checked over real HTTP against its real AppModule with
 * real PostgreSQL and Kafka: liveness, readiness (database and broker), its OpenAPI document
 * with bearer auth declared, and problem+json for unknown routes.
 */
export function describeServiceContract({ SERVICE, AppModule }: ServiceUnderTest): void {
  describe(`${SERVICE.name}: the service contract (real PostgreSQL and Kafka)`, () => {
    let app: NestFastifyApplication;
    let base: string;

    beforeAll(async () => {
      app = await createServiceApp({ service: SERVICE.name, module: AppModule, title: SERVICE.title, description: SERVICE.description, shutdownHooks: false });
      await app.listen(0, '127.0.0.1');
      base = await app.getUrl();
    }, 60_000);

    afterAll(async () => {
      await app?.close();
    });

    it('is live', async () => {
      const res = await fetch(`${base}/health/live`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok' });
    });

    it('is ready with its database and the broker up, and serving', async () => {
      const res = await fetch(`${base}/health/ready`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, kafka: { status: 'up' } } });
      const serving = await fetch(`${base}/health/serving`);
      expect(serving.status).toBe(200);
      expect(await serving.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
    });

    it('serves its OpenAPI document with bearer auth', async () => {
      const res = await fetch(`${base}/docs/openapi.json`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { info: { title: string; description: string }; components?: { securitySchemes?: Record<string, { scheme?: string }> } };
      expect(doc.info.title).toBe(SERVICE.title);
      expect(doc.info.description).toBe(SERVICE.description);
      expect(Object.values(doc.components?.securitySchemes ?? {}).map((s) => s.scheme)).toContain('bearer');
    });

    it('serves the AsyncAPI 3 document of its events, generated from the catalog and its handlers', async () => {
      const res = await fetch(`${base}/docs/asyncapi.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const doc = (await res.json()) as { info: { title: string }; operations: Record<string, { action: string }> };
      expect(await validateAsyncApi(doc)).toEqual([]);
      expect(doc.info.title).toBe(`${SERVICE.title} events`);
    });

    it('answers unknown routes with a 404 problem', async () => {
      const res = await fetch(`${base}/v1/does-not-exist`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ type: 'https://puente.dev/problems/not-found', status: 404, instance: '/v1/does-not-exist' });
    });
  });
}
