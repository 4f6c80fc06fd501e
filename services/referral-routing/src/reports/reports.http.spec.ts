// referral-routing's planning reports over real HTTP and PostgreSQL (docs/reports.md).
import { expectReportsServed } from '@puente/reports';
import { startReferralRouting, type ReferralRoutingTestApp } from '../testing/harness';

describe('referral-routing reports for planning (HTTP + PostgreSQL)', () => {
  let app: ReferralRoutingTestApp;

  beforeAll(async () => {
    app = await startReferralRouting('routing_reports');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  it('serves its reports as JSON, CSV and chart data, small cells suppressed, under reports:read', async () => {
    const token = await app.token({ scopes: ['reports:read'] });
    await expectReportsServed((path) => app.call('GET', path, { token }), ['referrals-by-outcome', 'referrals-by-pathway']);
    const other = await app.token({ scopes: ['cases:read'] });
    expect((await app.call('GET', '/v1/reports', { token: other })).status).toBe(403);
  });
});
