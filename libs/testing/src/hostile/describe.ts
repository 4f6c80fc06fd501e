import type { Type } from '@nestjs/common';
import { SCOPES } from '@puente/auth';
import { createServiceApp } from '@puente/platform';
import type { OpenApiDocument } from './openapi';
import { openApiSchemaIssues } from './schema-lint';
import { type HostileReport, runHostileInput, saveHostileReport, saveOpenApiDocument, summarizeHostileReport, type Violation } from './runner';
import { type ServiceHarness, startServiceHarness } from '../service-harness';

export interface HostileTarget {
  /** Service name, e.g. `intake`. */
  service: string;
  /** Starts the service (real PostgreSQL and Kafka) behind the test harness. */
  start: () => Promise<ServiceHarness>;
  /** Examples per operation (default PUENTE_HOSTILE_RUNS or 40). */
  runsPerOperation?: number;
  /**
   * Creates a few resources first, the way the service's own tests do, and returns the response
   * bodies: their identifiers reach the paths of later requests, so handlers get past lookups.
   */
  prepare?: (harness: ServiceHarness) => Promise<unknown[]>;
}

/** The harness of a service that needs nothing but its AppModule (and optional config class). */
export function startPlainService(SERVICE: { name: string; title: string; description: string }, AppModule: Type<unknown>): () => Promise<ServiceHarness> {
  return () =>
    startServiceHarness({
      name: SERVICE.name,
      suite: 'hostile',
      defaultScopes: Object.keys(SCOPES),
      create: () => createServiceApp({ service: SERVICE.name, module: AppModule, title: SERVICE.title, description: SERVICE.description, shutdownHooks: false }),
    });
}

/** Violations grouped by what went wrong and which kind of input caused it, one example each. */
function explain(violations: Violation[]): string {
  const groups = new Map<string, { count: number; example: Violation }>();
  for (const v of violations) {
    const key = `${v.kind} ${v.status} [${v.labels.map((l) => l.replace(/@.*/, '')).join(', ')}] ${v.answer.slice(0, 60)}`;
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { count: 1, example: v });
  }
  const rank = (key: string) => ['5xx', 'non-problem', 'undocumented', 'off-schema'].findIndex((kind) => key.startsWith(kind));
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b))
    .slice(0, 60)
    .map(([key, { count, example }]) => `${count}× ${key}\n    e.g. ${example.operation}: ${example.request} [${example.labels.join(', ')}] :: ${example.answer}`)
    .join('\n');
}

/**
 * Hostile input against one service, from its own OpenAPI document over real HTTP: zero 5xx,
 * zero statuses the operation does not document, every 4xx as problem+json. Tokens carry every
 * scope so requests reach the handlers; some go without, with a garbage or a scopeless token.
 */
export function describeHostileInput(target: HostileTarget): void {
  describe(`${target.service}: hostile input generated from its OpenAPI document (real HTTP, PostgreSQL and Kafka)`, () => {
    let harness: ServiceHarness;
    let report: HostileReport | undefined;

    beforeAll(async () => {
      harness = await target.start();
    }, 90_000);

    afterAll(async () => {
      if (report) {
        process.stdout.write(`${summarizeHostileReport(report)}\n`);
        saveHostileReport(report);
      }
      await harness?.close();
    });

    it('describes every field so generated clients work (types, nullable, no bare objects)', async () => {
      const docResponse = await harness.call('GET', '/docs/openapi.json', { token: null });
      saveOpenApiDocument(target.service, docResponse.text);
      const issues = openApiSchemaIssues(docResponse.body as OpenApiDocument);
      expect(issues.map((i) => `${i.at}: ${i.problem}`)).toEqual([]);
    });

    it('answers every generated request without a 5xx, with a documented status, 4xx as problem+json and 2xx as documented', async () => {
      const docResponse = await harness.call('GET', '/docs/openapi.json', { token: null });
      expect(docResponse.status).toBe(200);
      const document = docResponse.body as OpenApiDocument;
      report = await runHostileInput({
        service: target.service,
        base: harness.base,
        document,
        credentials: { valid: await harness.token({ scopes: Object.keys(SCOPES) }), noScopes: await harness.token({ scopes: ['audit:read'] }) },
        runsPerOperation: target.runsPerOperation,
        known: target.prepare ? await target.prepare(harness) : [],
      });
      const summary = summarizeHostileReport(report);
      if (report.violations.length > 0) throw new Error(`${summary}\n${explain(report.violations)}`);
      expect(report.requests).toBeGreaterThanOrEqual(report.operations);
    }, 240_000);
  });
}
