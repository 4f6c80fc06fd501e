// Reintegration's outcome reports over real HTTP and PostgreSQL (docs/reports.md): served like
// every service's (libs/reports), small cells suppressed, totals of the published cells only.
import { AgeBand, Sex } from '@puente/contracts';
import { expectReportsServed, SMALL_CELL_THRESHOLD, suppressSmallCells } from '@puente/reports';
import { SUSTAINABILITY_QUESTIONS } from '../plans/sustainability';
import { type ReintegrationTestApp, returnee, startReintegration } from '../testing/harness';

const REPORT_IDS = [
  'plans-by-week',
  'plans-by-center',
  'plan-members-by-age-band',
  'plan-members-by-sex',
  'plan-outcomes',
  'remigration-by-center',
  'economic-sustainability',
  'social-sustainability',
  'psychosocial-sustainability',
  ...['economic', 'social', 'psychosocial'].flatMap((d) => ['center', 'age-band', 'sex'].map((c) => `${d}-sustainability-by-${c}`)),
  'plan-outcomes-by-center',
  'plan-outcomes-by-age-band',
  'plan-outcomes-by-sex',
];
const best = Object.fromEntries(SUSTAINABILITY_QUESTIONS.map((q) => [q.id, Object.keys(q.answers).at(-1)!]));

interface Row {
  values: Record<string, string>;
  count: number | null;
  suppressed: boolean;
}

describe('reintegration outcome reports (real HTTP, PostgreSQL)', () => {
  let t: ReintegrationTestApp;
  let reportsToken: string;

  beforeAll(async () => {
    t = await startReintegration('reports');
    reportsToken = await t.token({ scopes: ['reports:read'] });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const get = (path: string) => t.call('GET', path, { token: reportsToken });

  /** `n` plans referred by `center`, one returnee each (of `sex`). */
  async function plansAt(center: string, n: number, sex: Sex): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const { caseId, personId } = await returnee(t, { sex, ageBand: AgeBand.AGED_18_TO_59 });
      const plan = await t.call('POST', '/v1/plans', { body: { caseId, members: [{ personId, role: 'principal', goals: ['employment'] }], referringCenterCode: center } });
      expect(plan.status).toBe(201);
      ids.push(plan.body.id);
    }
    return ids;
  }

  it('counts plans per referring center with a cell of 4 never published, totals of the published cells, and the same in CSV and chart', async () => {
    // 4, 6 and 7 plans: the 4 is suppressed, and the 6 with it (one suppressed cell alone could be
    // recovered from the total); the 7 is published.
    await plansAt('GT-CRM-41', 4, Sex.FEMALE);
    await plansAt('GT-CRM-42', 6, Sex.MALE);
    const seven = await plansAt('GT-CRM-43', 7, Sex.MALE);

    const report = await get('/v1/reports/plans-by-center');
    expect(report.status).toBe(200);
    const rows = report.body.rows as Row[];
    expect(rows.map((r) => r.count)).not.toContain(4);
    for (const r of rows) expect(r.count === null || r.count >= SMALL_CELL_THRESHOLD).toBe(true);
    expect(rows).toEqual(
      expect.arrayContaining([
        { values: { center: 'GT-CRM-41' }, count: null, suppressed: true },
        { values: { center: 'GT-CRM-43' }, count: 7, suppressed: false },
      ]),
    );
    // The run's shared broker brings other suites' check-ins, hence plans at other centers: the
    // report is the suppression rule applied to every plan this service holds (with only ours, the 6
    // of GT-CRM-42 is hidden with the 4, as a lone hidden cell could be recovered from the total).
    const held = (await t.ds.query(`SELECT coalesce(referring_center_code, 'unknown') AS center, count(*)::int AS n FROM plan GROUP BY 1`)) as { center: string; n: number }[];
    const expected = suppressSmallCells(['center'], held.map((h) => ({ key: [h.center], count: h.n })));
    expect(rows).toEqual(expected.cells.map((c) => ({ values: { center: c.key[0] }, count: c.count, suppressed: c.suppressed })));
    if (held.length === 3) expect(rows.find((r) => r.values.center === 'GT-CRM-42')).toEqual({ values: { center: 'GT-CRM-42' }, count: null, suppressed: true });
    expect(report.body.total).toBe(expected.total);
    expect(report.body.totals).toEqual(expected.totals);

    const csv = await get('/v1/reports/plans-by-center/csv');
    expect(csv.text).not.toMatch(/,4,/);
    expect(csv.text.trimEnd().split('\r\n').at(-1)).toBe(`total,${expected.total},false`);
    const chart = await get('/v1/reports/plans-by-center/chart');
    expect(chart.body.datasets.flatMap((d: { data: (number | null)[] }) => d.data)).not.toContain(4);

    // By sex: 4 women (suppressed, and the smallest other cell with it), 13 men published.
    const bySex = await get('/v1/reports/plan-members-by-sex');
    expect((bySex.body.rows as Row[]).map((r) => r.count)).not.toContain(4);
    expect(bySex.body.total).toBe((bySex.body.rows as Row[]).reduce((s, r) => s + (r.count ?? 0), 0));

    // Follow-ups scored high on every dimension for the 7 plans of GT-CRM-43, once active.
    for (const planId of seven) {
      const plan = await t.call('GET', `/v1/plans/${planId}`);
      expect((await t.call('POST', `/v1/plans/${planId}/transitions`, { body: { action: 'activate' }, headers: { 'if-match': plan.headers.get('etag')! } })).status).toBe(200);
      expect((await t.call('POST', `/v1/plans/${planId}/follow-ups/month_1`, { body: { answers: best } })).status).toBe(201);
    }
    for (const dimension of ['economic', 'social', 'psychosocial']) {
      const scores = await get(`/v1/reports/${dimension}-sustainability`);
      expect([dimension, scores.body.rows]).toEqual([dimension, [{ values: { [`${dimension}Band`]: 'high' }, count: 7, suppressed: false }]]);
    }

    // Closed with their outcome: the 7 by outcome, in the week of closing.
    for (const planId of seven) {
      expect((await t.call('POST', `/v1/plans/${planId}/transitions`, { body: { action: 'complete', outcome: 'sustainably_reintegrated' } })).status).toBe(200);
    }
    const outcomes = await get('/v1/reports/plan-outcomes');
    expect(outcomes.body.rows).toEqual([{ values: { outcome: 'sustainably_reintegrated' }, count: 7, suppressed: false }]);
    expect(outcomes.body.total).toBe(7);

    // Crossed with center and sex (the 7 are men of GT-CRM-43), and per week as a third dimension.
    const byCenter = await get('/v1/reports/economic-sustainability-by-center');
    expect(byCenter.body.dimensions).toEqual(['economicBand', 'center']);
    expect(byCenter.body.rows).toEqual([{ values: { economicBand: 'high', center: 'GT-CRM-43' }, count: 7, suppressed: false }]);
    const outcomesBySex = await get('/v1/reports/plan-outcomes-by-sex');
    expect(outcomesBySex.body.rows).toEqual([{ values: { outcome: 'sustainably_reintegrated', sex: expect.any(String) }, count: 7, suppressed: false }]);
    const weekly = await get('/v1/reports/social-sustainability-by-age-band?perWeek=true');
    expect(weekly.body.dimensions).toEqual(['week', 'socialBand', 'ageBand']);
    expect(weekly.body.rows).toEqual([{ values: { week: expect.stringMatching(/^\d{4}-W\d{2}$/), socialBand: 'high', ageBand: expect.any(String) }, count: 7, suppressed: false }]);
    const weeklyChart = await get('/v1/reports/social-sustainability-by-age-band/chart?perWeek=true');
    expect(weeklyChart.body).toMatchObject({ x: 'week', series: 'socialBand · ageBand', datasets: [{ data: [7] }] });
  }, 300_000);

  it('serves every report as JSON, CSV and chart data under reports:read only', async () => {
    await expectReportsServed(get, REPORT_IDS);
    expect((await t.call('GET', '/v1/reports', { token: await t.token({ scopes: ['reintegration:read'] }) })).status).toBe(403);
  });
});
