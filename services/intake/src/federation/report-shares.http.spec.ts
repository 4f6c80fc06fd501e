// Reports shared between nodes, for real: GT's and HN's intake, each with its own Kafka broker
// and PostgreSQL database, joined by a real MirrorMaker 2. GT shares an aggregate report with
// HN; the small cells are suppressed at GT before sealing, HN stores and serves it.
import { fromBinary } from '@bufbuild/protobuf';
import { SharedReportSchema } from '@puente/contracts';
import { exchangeTopic, type NodeRegistry, openEnvelope, startTwoNodeTopology, type TwoNodeTopology } from '@puente/federation';
import { createBrokerClient, readTopic } from '@puente/messaging';
import { SHARED_CODE } from '@puente/reports';
import { eventually } from '@puente/testing';
import { expectProblem, type IntakeTestApp, people, problemFields, startIntake, uniqueSiteCode } from '../spec/testing/harness';
import { NODE_REGISTRY } from './federation.tokens';

describe('reports shared between nodes (GT → HN, two brokers, MirrorMaker 2)', () => {
  let topology: TwoNodeTopology<'GT', 'HN'>;
  let gt: IntakeTestApp;
  let hn: IntakeTestApp;
  const sites = { big: uniqueSiteCode('GT-MRC'), small: uniqueSiteCode('GT-MRC'), middle: uniqueSiteCode('GT-MRC') };
  const gtPlanner = () => gt.token({ scopes: ['reports:read', 'reports:share'], clientId: 'gt-planning-unit' });
  const hnPlanner = () => hn.token({ node: 'HN', jurisdictions: ['HN'], partnerId: 'HN-SRECI', scopes: ['reports:read'], clientId: 'hn-planning-unit' });

  beforeAll(async () => {
    topology = await startTwoNodeTopology(`spec-${process.env.PUENTE_TEST_RUN ?? 'ci'}-rshare`, ['GT', 'HN']);
    gt = await startIntake('rsharegt', { env: { PUENTE_NODE: 'GT', KAFKA_BROKERS: topology.brokers.GT } });
    hn = await startIntake('rsharehn', { env: { PUENTE_NODE: 'HN', KAFKA_BROKERS: topology.brokers.HN } });
    await topology.startMirror();
    // 12 persons at one MRC, 3 at another (a small cell), 6 at a third (hidden too: the line rule).
    for (const [site, n] of [
      [sites.big, 12],
      [sites.small, 3],
      [sites.middle, 6],
    ] as const) {
      expect((await gt.call('POST', '/v1/sites', { body: { code: site, name: `CRM ${site}`, kind: 'fixed' } })).status).toBe(201);
      for (let i = 0; i < n; i++) {
        const res = await gt.call('POST', '/v1/persons', { body: people.mariaJose(site, { familyNames: `Planificación ${site.slice(-4)} ${i}`, birthDate: `19${60 + i}-03-0${1 + (i % 9)}`, vulnerabilityFlags: [] }) });
        expect(res.status).toBe(201);
      }
    }
  }, 20 * 60_000 + 300_000);

  afterAll(async () => {
    try {
      await gt?.close();
      await hn?.close();
    } finally {
      await topology?.stop();
    }
  }, 120_000);

  it('GT shares registrations by site with HN: small cells suppressed before they leave, HN serves it as JSON, CSV and chart', async () => {
    const local = await gt.call('GET', '/v1/reports/registrations-by-site', { token: await gtPlanner() });
    expect(local.status).toBe(200);
    const shared = await gt.call('POST', '/v1/reports/registrations-by-site/shares', { body: { node: 'HN' }, token: await gtPlanner() });
    expect(shared.status).toBe(202);
    expect(shared.body).toMatchObject({ node: 'HN', report: 'registrations-by-site', cells: 3, suppressedCells: 2 });

    const listed = await eventually(
      'the report at HN',
      async () => {
        const res = await hn.call('GET', '/v1/shared-reports?from=GT', { token: await hnPlanner() });
        return res.body?.items?.find((r: { id: string }) => r.id === shared.body.shareId);
      },
      120_000,
    );
    expect(listed).toMatchObject({ node: 'GT', service: 'intake', report: 'registrations-by-site', unit: 'persons', dimensions: ['site'] });

    const remote = await hn.call('GET', `/v1/shared-reports/${shared.body.shareId}`, { token: await hnPlanner() });
    expect(remote.status).toBe(200);
    expect(remote.body).toMatchObject({ node: 'GT', total: 12, suppressedCells: 2 });
    // The same cells GT's planners see, in the same order: 12 published, 3 and 6 hidden.
    expect(remote.body.rows).toEqual(local.body.rows);
    expect(remote.body.rows).toEqual(
      expect.arrayContaining([
        { values: { site: sites.big }, count: 12, suppressed: false },
        { values: { site: sites.small }, count: null, suppressed: true },
        { values: { site: sites.middle }, count: null, suppressed: true },
      ]),
    );
    const csv = await fetch(`${hn.base}/v1/shared-reports/${shared.body.shareId}/csv`, { headers: { authorization: `Bearer ${await hnPlanner()}` } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines).toEqual(expect.arrayContaining(['site,persons,suppressed', `${sites.big},12,false`, `${sites.small},,true`, 'total,12,false']));
    const chart = await hn.call('GET', `/v1/shared-reports/${shared.body.shareId}/chart`, { token: await hnPlanner() });
    expect(chart.body.datasets[0].data.filter((n: number | null) => n !== null)).toEqual([12]);

    // What crossed: HN's copy of the exchange topic holds the envelope; opened with HN's key it is codes and counts only.
    const broker = createBrokerClient({ brokers: topology.brokers.HN.split(','), clientId: 'rshare-spec-hn' });
    const [record] = await readTopic(broker, exchangeTopic('HN', 'report-share'), { until: (seen) => seen.some((e) => e.headers.ce_id === shared.body.envelopeId), timeoutMs: 60_000 }).then((seen) =>
      seen.filter((e) => e.headers.ce_id === shared.body.envelopeId),
    );
    const opened = await openEnvelope(hn.app.get<NodeRegistry>(NODE_REGISTRY), record.value, { now: new Date() });
    if (!opened.ok) throw new Error(`envelope not opened at HN: ${opened.reason}`);
    const message = fromBinary(SharedReportSchema, opened.envelope.payload);
    for (const s of [message.service, message.report, message.unit, ...message.dimensions, ...message.cells.flatMap((c) => c.values)]) expect(s).toMatch(SHARED_CODE);
    expect(message.cells.map((c) => c.count).sort((a, b) => a - b)).toEqual([0, 0, 12]);
    // Stored at HN as received: the counts of the two hidden sites are nowhere.
    const [stored]: { cells: { count: number }[] }[] = await hn.ds.query(`SELECT cells FROM shared_report WHERE share_id = $1`, [shared.body.shareId]);
    expect(stored.cells.map((c) => c.count).sort((a, b) => a - b)).toEqual([0, 0, 12]);

    // HN answered with a receipt: GT sees the envelope applied.
    await eventually(
      'receipt from HN',
      async () => {
        const rows: { receipt_outcome: string | null }[] = await gt.ds.query(`SELECT receipt_outcome FROM federation_sent_envelope WHERE envelope_id = $1`, [shared.body.envelopeId]);
        return rows[0]?.receipt_outcome === 'applied';
      },
      120_000,
    );
  }, 300_000);

  it('refuses to share with a node that is not a peer, an unknown report, bad weeks; and without the scope', async () => {
    const token = await gtPlanner();
    expect(problemFields(expectProblem(await gt.call('POST', '/v1/reports/registrations-by-site/shares', { body: { node: 'ZZ' }, token }), 400))).toContain('node');
    expect(problemFields(expectProblem(await gt.call('POST', '/v1/reports/registrations-by-site/shares', { body: { node: 'GT' }, token }), 400))).toContain('node');
    expect(problemFields(expectProblem(await gt.call('POST', '/v1/reports/registrations-by-site/shares', { body: { node: 'hn' }, token }), 400))).toContain('node');
    expect(problemFields(expectProblem(await gt.call('POST', '/v1/reports/registrations-by-site/shares', { body: { node: 'HN', from: 'last-week' }, token }), 400))).toContain('from');
    expect((await gt.call('POST', '/v1/reports/no-such-report/shares', { body: { node: 'HN' }, token })).status).toBe(404);
    const readOnly = await gt.token({ scopes: ['reports:read'], clientId: 'gt-reader' });
    expect((await gt.call('POST', '/v1/reports/registrations-by-site/shares', { body: { node: 'HN' }, token: readOnly })).status).toBe(403);
    // Nothing of these was sent.
    const sent: unknown[] = await gt.ds.query(`SELECT 1 FROM federation_sent_envelope WHERE kind = 'report-share'`);
    expect(sent).toHaveLength(1);
    expect(problemFields(expectProblem(await hn.call('GET', '/v1/shared-reports/not-a-uuid', { token: await hnPlanner() }), 400))).toContain('id');
    expect((await hn.call('GET', '/v1/shared-reports/00000000-0000-4000-8000-000000000000', { token: await hnPlanner() })).status).toBe(404);
    expect(problemFields(expectProblem(await hn.call('GET', '/v1/shared-reports?from=Guatemala', { token: await hnPlanner() }), 400))).toContain('from');
  }, 120_000);
});
