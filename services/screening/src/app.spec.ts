import { Topics } from '@puente/contracts';
import { validateAsyncApi } from '@puente/testing';
import { type ScreeningTestApp, startScreening } from './testing/harness';

describe('screening service (real PostgreSQL and Kafka)', () => {
  let t: ScreeningTestApp;

  beforeAll(async () => {
    t = await startScreening('shell');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('is live', async () => {
    const res = await t.call('GET', '/health/live', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok' });
  });

  it('is ready with its database and the broker up', async () => {
    const res = await t.call('GET', '/health/ready', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, kafka: { status: 'up' } } });
  });

  it('serves the AsyncAPI 3 document of its events: publishes screenings, handles cases and protection concerns', async () => {
    const res = await t.call('GET', '/docs/asyncapi.json', { token: null });
    expect(res.status).toBe(200);
    const doc = res.body as { channels: Record<string, { address: string }>; operations: Record<string, { action: string; channel: { $ref: string } }> };
    expect(await validateAsyncApi(doc)).toEqual([]);
    const by = (action: string) =>
      Object.values(doc.operations)
        .filter((o) => o.action === action)
        .map((o) => doc.channels[o.channel.$ref.slice('#/channels/'.length)].address)
        .sort();
    expect(by('send')).toEqual([`${Topics.intakeCase.name}.dlq`, `${Topics.receptionArrival.name}.dlq`, Topics.screening.name]);
    expect(by('receive')).toEqual([Topics.intakeCase.name, Topics.receptionArrival.name]);
  }, 60_000);

  it('documents every business route, each secured by a bearer token with its 401', async () => {
    const res = await t.call('GET', '/docs/openapi.json', { token: null });
    expect(res.status).toBe(200);
    const doc = res.body as { info: { title: string; description: string }; paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>> };
    expect(doc.info.title).toBe('Puente Screening');
    const business = Object.entries(doc.paths).filter(([path]) => path.startsWith('/v1/'));
    expect(business.map(([p]) => p).sort()).toEqual(
      [
        '/v1/cases/{caseId}/screenings',
        '/v1/questionnaires',
        '/v1/questionnaires/{key}/current',
        '/v1/questionnaires/{key}/versions/{version}',
        '/v1/questionnaires/{key}/versions/{version}/publish',
        '/v1/questionnaires/{key}/versions/{version}/retire',
        '/v1/questionnaires/{key}/versions/{version}/validate',
        '/v1/reports',
        '/v1/reports/{report}',
        '/v1/reports/{report}/chart',
        '/v1/reports/{report}/csv',
        '/v1/screenings',
        '/v1/screenings/{id}',
        '/v1/screenings/{id}/answers',
        '/v1/screenings/{id}/complete',
        '/v1/screenings/{id}/rescreen',
        '/v1/screenings/{id}/result',
      ].sort(),
    );
    for (const [path, operations] of business) {
      for (const [method, op] of Object.entries(operations)) {
        expect({ route: `${method} ${path}`, secured: (op.security ?? []).length > 0, has401: '401' in op.responses, has403: '403' in op.responses }).toEqual({
          route: `${method} ${path}`,
          secured: true,
          has401: true,
          has403: true,
        });
      }
    }
  });

  it('requires a token on business routes', async () => {
    const res = await t.call('GET', '/v1/questionnaires', { token: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await t.call('GET', '/v1/does-not-exist');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: 'https://puente.dev/problems/not-found', status: 404, instance: '/v1/does-not-exist' });
  });
});
