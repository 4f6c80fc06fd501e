import { describeServiceContract } from '@puente/testing';
import { AppModule, SERVICE } from './app.module';
import { type IntakeTestApp, startIntake } from './spec/testing/harness';

describeServiceContract({ SERVICE, AppModule });

describe('intake routes: documented and authenticated (real PostgreSQL and Kafka)', () => {
  let intake: IntakeTestApp;

  beforeAll(async () => {
    intake = await startIntake('shell');
  });

  afterAll(async () => {
    await intake?.close();
  });

  it('documents every route with bearer auth, and realistic examples', async () => {
    const res = await intake.call('GET', '/docs/openapi.json', { token: null });
    expect(res.status).toBe(200);
    const doc = res.body as { info: { title: string }; paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>> };
    expect(doc.info.title).toBe('Puente Intake');
    const business = Object.entries(doc.paths).filter(([path]) => path.startsWith('/v1/'));
    expect(business.map(([p]) => p)).toEqual(
      expect.arrayContaining([
        '/v1/sites',
        '/v1/persons',
        '/v1/persons/{id}',
        '/v1/persons/{id}/erase',
        '/v1/cases',
        '/v1/cases/{id}/close',
        '/v1/cases/{id}/timeline',
        '/v1/cases/{caseId}/consents',
        '/v1/consents/{id}/withdraw',
        '/v1/households',
        '/v1/duplicates/{id}/link',
        '/v1/partner-directory',
      ]),
    );
    for (const [path, operations] of business) {
      for (const [method, op] of Object.entries(operations)) {
        expect({ route: `${method} ${path}`, secured: (op.security ?? []).length > 0, has401: '401' in op.responses }).toEqual({ route: `${method} ${path}`, secured: true, has401: true });
      }
    }
    const purposeHeaders = (method: string) =>
      ((doc.paths['/v1/persons/{id}'][method] as { parameters?: { in: string; name: string }[] }).parameters ?? []).filter((p) => p.in === 'header' && p.name.toLowerCase() === 'x-purpose');
    expect(purposeHeaders('get')).toHaveLength(1);
    expect(purposeHeaders('patch')).toHaveLength(1);
    expect(JSON.stringify(doc)).toContain('María José');
    expect(JSON.stringify(doc)).toContain('GT-MRC-01');
  });

  it('refuses every business route without a token', async () => {
    for (const [method, path] of [
      ['GET', '/v1/cases'],
      ['POST', '/v1/persons'],
      ['GET', '/v1/sites'],
      ['GET', '/v1/duplicates'],
    ]) {
      const res = await intake.call(method, path, { token: null, body: method === 'POST' ? {} : undefined });
      expect(res.status).toBe(401);
    }
  });
});
