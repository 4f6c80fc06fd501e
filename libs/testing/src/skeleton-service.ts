import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@puente/platform';

const root = join(__dirname, '..', '..', '..');

/** The table row of `README.md` or `docs/*.md` whose first cell is `first` (e.g. a service or a scope). */
function tableRow(file: string, first: string): string | undefined {
  return readFileSync(join(root, file), 'utf8')
    .split('\n')
    .find((line) => line.startsWith(`| ${first} |`) || line.startsWith(`| \`${first}\` |`));
}

/**
 * A service that has only the platform so far (health, metrics, docs) must say so wherever a
 * reader meets it: its OpenAPI description, its README row and the rows of the scopes it will
 * use in docs/security.md say the domain routes are planned, and it really has no /v1 route.
 * When the first route lands, the service replaces this check with tests of what it does.
 */
export function describeSkeletonService(o: { SERVICE: { name: string; title: string; description: string }; AppModule: Type<unknown>; scopes: string[] }): void {
  describe(`${o.SERVICE.name}: promises nothing it does not do yet`, () => {
    let app: NestFastifyApplication;

    beforeAll(async () => {
      app = await createServiceApp({ service: o.SERVICE.name, module: o.AppModule, title: o.SERVICE.title, description: o.SERVICE.description, shutdownHooks: false });
      await app.listen(0, '127.0.0.1');
    }, 60_000);

    afterAll(async () => {
      await app?.close();
    });

    it('has no /v1 route, and its OpenAPI description says what exists and that the domain routes are planned', async () => {
      const doc = (await (await fetch(`${await app.getUrl()}/docs/openapi.json`)).json()) as { info: { description: string }; paths: Record<string, unknown> };
      expect(Object.keys(doc.paths).filter((p) => p.startsWith('/v1'))).toEqual([]);
      expect(doc.info.description).toMatch(/health/);
      expect(doc.info.description).toMatch(/planned/);
    });

    it('its README row and its scopes in docs/security.md say the same', () => {
      expect(tableRow('README.md', o.SERVICE.name)).toMatch(/planned/);
      for (const scope of o.scopes) expect([scope, tableRow('docs/security.md', scope)]).toEqual([scope, expect.stringMatching(/planned/)]);
    });
  });
}
