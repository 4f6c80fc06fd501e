// Intake's planning reports over real HTTP and PostgreSQL: registrations counted per dimension,
// small cells suppressed, exported as JSON, CSV and chart data under reports:read.
import { isoWeekOf } from '@puente/reports';
import { expectProblem, type IntakeTestApp, people, startIntake, uniqueSiteCode } from './testing/harness';

type Report = { rows: { values: Record<string, string>; count: number | null; suppressed: boolean }[]; total: number; totals: Record<string, Record<string, number>>; dimensions: string[] };

describe('intake reports for planning (HTTP + PostgreSQL)', () => {
  let intake: IntakeTestApp;
  let reader: string;
  const get = <T = any>(path: string) => intake.call<T>('GET', path, { token: reader });
  const sites = { big: uniqueSiteCode('GT-MRC'), small: uniqueSiteCode('GT-MRC'), medium: uniqueSiteCode('GT-MRC') };
  const thisWeek = isoWeekOf(new Date());

  beforeAll(async () => {
    intake = await startIntake('reports');
    reader = await intake.token({ scopes: ['reports:read'] });
    for (const code of Object.values(sites)) {
      expect((await intake.call('POST', '/v1/sites', { body: { code, name: `Punto ${code}`, kind: 'fixed' } })).status).toBe(201);
    }
    // 12 Salvadorans at the big site, 7 Hondurans at the medium one, 3 Guatemalans at the small one.
    const register = async (site: string, nationality: string, n: number, sex: string) => {
      for (let i = 0; i < n; i++) {
        const res = await intake.call('POST', '/v1/persons', { body: people.mariaJose(site, { nationality, sex, givenNames: `Persona ${nationality} ${i}`, documents: [] }) });
        expect(res.status).toBe(201);
      }
    };
    await register(sites.big, 'SV', 12, 'female');
    await register(sites.medium, 'HN', 7, 'male');
    await register(sites.small, 'GT', 3, 'female');
  }, 120_000);

  afterAll(async () => {
    await intake?.close();
  });

  it('lists its reports and the rule, under reports:read only', async () => {
    const list = await get('/v1/reports');
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining(['registrations-by-week', 'registrations-by-site', 'registrations-by-age-band', 'registrations-by-sex', 'registrations-by-nationality', 'registrations-by-vulnerability']),
    );
    expect(list.body.threshold).toBe(5);
    const token = await intake.token({ scopes: ['cases:read'] });
    expectProblem(await intake.call('GET', '/v1/reports/registrations-by-site', { token }), 403);
  });

  it('by site: the site of 3 is suppressed and so is the next smallest; the total is the published sum', async () => {
    const res = await get<Report>(`/v1/reports/registrations-by-site?from=${thisWeek}&to=${thisWeek}`);
    expect(res.status).toBe(200);
    const bySite = Object.fromEntries(res.body.rows.map((r) => [r.values.site, r.count]));
    expect(bySite[sites.big]).toBe(12);
    expect(bySite[sites.small]).toBeNull();
    expect(bySite[sites.medium]).toBeNull();
    expect(res.body.total).toBe(res.body.rows.reduce((s, r) => s + (r.count ?? 0), 0));
    for (const r of res.body.rows) if (r.count !== null) expect(r.count).toBeGreaterThanOrEqual(5);
    // Counts and codes only: no name, no document, no phone.
    expect(JSON.stringify(res.body)).not.toMatch(/Persona|0801|\+504/);
  });

  it('by nationality, sex and vulnerability flag, and per week: never a cell under 5', async () => {
    for (const report of ['registrations-by-nationality', 'registrations-by-sex', 'registrations-by-vulnerability', 'registrations-by-age-band', 'registrations-by-week']) {
      for (const perWeek of ['false', 'true']) {
        const res = await get<Report>(`/v1/reports/${report}?perWeek=${perWeek}`);
        expect([report, res.status]).toEqual([report, 200]);
        for (const r of res.body.rows) expect(r.count === null || r.count >= 5).toBe(true);
        expect(res.body.total).toBe(res.body.rows.reduce((s, r) => s + (r.count ?? 0), 0));
      }
    }
    const weekly = await get('/v1/reports/registrations-by-site/chart?perWeek=true');
    expect(weekly.body).toMatchObject({ x: 'week', series: 'site', labels: [thisWeek] });
    expect(weekly.body.datasets.find((d: { label: string }) => d.label === sites.big).data).toEqual([12]);
    const sex = await get<Report>('/v1/reports/registrations-by-sex');
    expect(Object.fromEntries(sex.body.rows.map((r) => [r.values.sex, r.count]))).toEqual({ female: 15, male: 7 });
    const flags = await get<Report>('/v1/reports/registrations-by-vulnerability');
    expect(flags.body.rows.find((r) => r.values.vulnerability === 'fear_of_return')?.count).toBe(22);
  });

  it('exports CSV and chart-ready data', async () => {
    const csv = await get<string>('/v1/reports/registrations-by-nationality/csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('nationality,persons,suppressed');
    expect(lines).toEqual(expect.arrayContaining(['SV,12,false', 'GT,,true', 'HN,,true', 'total,12,false']));
    const chart = await get('/v1/reports/registrations-by-nationality/chart');
    expect(chart.status).toBe(200);
    expect(chart.body).toMatchObject({ x: 'nationality', series: null, labels: ['GT', 'HN', 'SV'], datasets: [{ label: 'persons', data: [null, null, 12] }] });
  });

  it('refuses unknown reports and malformed weeks as problems', async () => {
    expectProblem(await get('/v1/reports/registrations-by-shoe-size'), 404);
    expectProblem(await get('/v1/reports/registrations-by-site?from=2026-W99'), 400);
    expectProblem(await get('/v1/reports/registrations-by-site?from=2025-W53'), 400);
    expectProblem(await get('/v1/reports/registrations-by-site?from=2026-W10&to=2026-W01'), 400);
    expectProblem(await get('/v1/reports/registrations-by-site?perWeek=maybe'), 400);
  });
});
