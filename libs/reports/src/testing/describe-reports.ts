import { SMALL_CELL_THRESHOLD } from '../suppression';

interface Response {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/**
 * What every service's reports answer, checked over its real HTTP API and database (so each
 * definition's SQL runs against the real schema): the list, then each report as JSON (per value
 * and per week), CSV and chart data, with no published cell under the threshold and totals equal
 * to the sums of the published cells. `get` calls the service with a reports:read token.
 */
export async function expectReportsServed(get: (path: string) => Promise<Response>, expectedIds: readonly string[]): Promise<void> {
  const list = await get('/v1/reports');
  expect(list.status).toBe(200);
  const ids = (list.body.items as { id: string }[]).map((r) => r.id);
  expect(ids).toEqual(expect.arrayContaining([...expectedIds]));
  for (const id of ids) {
    for (const perWeek of ['false', 'true']) {
      const res = await get(`/v1/reports/${id}?perWeek=${perWeek}`);
      expect([id, res.status]).toEqual([id, 200]);
      const rows = res.body.rows as { count: number | null }[];
      for (const r of rows) expect(r.count === null || r.count >= SMALL_CELL_THRESHOLD).toBe(true);
      expect(res.body.total).toBe(rows.reduce((s, r) => s + (r.count ?? 0), 0));
    }
    const csv = await get(`/v1/reports/${id}/csv`);
    expect([id, csv.status, csv.headers.get('content-type')]).toEqual([id, 200, expect.stringMatching(/^text\/csv/)]);
    expect(csv.text.trimEnd().split('\r\n').at(-1)).toMatch(/^total,/);
    const chart = await get(`/v1/reports/${id}/chart`);
    expect([id, chart.status]).toEqual([id, 200]);
    expect(chart.body).toMatchObject({ report: id, labels: expect.any(Array), datasets: expect.any(Array) });
  }
}
