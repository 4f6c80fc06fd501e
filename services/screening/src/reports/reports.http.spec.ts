// screening's planning reports over real HTTP and PostgreSQL (docs/reports.md).
import { expectReportsServed } from '@puente/reports';
import { startScreening, type ScreeningTestApp } from '../testing/harness';

describe('screening reports for planning (HTTP + PostgreSQL)', () => {
  let app: ScreeningTestApp;

  beforeAll(async () => {
    app = await startScreening('screening_reports');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  it('serves its reports as JSON, CSV and chart data, small cells suppressed, under reports:read', async () => {
    const token = await app.token({ scopes: ['reports:read'] });
    await expectReportsServed((path) => app.call('GET', path, { token }), ['screenings-by-pathway', 'screenings-by-risk-level']);
    const other = await app.token({ scopes: ['cases:read'] });
    expect((await app.call('GET', '/v1/reports', { token: other })).status).toBe(403);
  });
});
