// Journey A, Guatemala → Mexico (issue 15): a Honduran mother and her two children registered at
// GT-MRC-01, screened, referred to COMAR across the border, their case transferred to Mexico,
// checked in at a Tapachula shelter, the referral accepted by COMAR; GT sees all of it, and nothing
// about them is ever addressed to Honduras. The steps are e2e/journeys/journey-a.ts, the script
// `npm run demo` narrates. Each service is its own process as `npm start -- --nodes GT,MX` runs
// it: each node on its own broker and databases, the brokers joined by a real MirrorMaker 2.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTwoNodeTopology, type TwoNodeTopology } from '@puente/federation';
import { type BrokerClient, createBrokerClient, parseBrokers, readWholeTopic } from '@puente/messaging';
import { openTestDataSource, type ServiceProcess, specIssuer, startServiceProcess } from '@puente/testing';
import { type JourneyAResult, runJourneyA } from './journeys/journey-a';

jest.setTimeout(900_000);

const GT = 'journeyagt';
const MX = 'journeyamx';

describe('Journey A, Guatemala → Mexico (processes of nodes GT and MX, two brokers, MirrorMaker 2, PostgreSQL)', () => {
  let topology: TwoNodeTopology;
  const processes: Record<string, ServiceProcess> = {};
  const issuer = specIssuer('journey-a');
  const lines: string[] = [];
  let result: JourneyAResult;

  beforeAll(async () => {
    await issuer.ensureKey();
    topology = await startTwoNodeTopology(`spec-${process.env.PUENTE_TEST_RUN ?? 'ci'}-journey-a`);
    // One issuer for every process, as `npm start` makes every service trust the node's dev key.
    const common = { AUTH_DEV_DIR: issuer.dir };
    const gt = { ...common, PUENTE_NODE: 'GT', KAFKA_BROKERS: topology.gtBrokers };
    const mx = { ...common, PUENTE_NODE: 'MX', KAFKA_BROKERS: topology.mxBrokers };
    const tokens = mkdtempSync(join(tmpdir(), 'puente-journey-a-tokens-'));
    const tokenFile = async (node: 'GT' | 'MX', clientId: string, scopes: string[]) => {
      const file = join(tokens, `${node}-${clientId}-${scopes.join('_').replace(/:/g, '-')}`);
      writeFileSync(file, await issuer.mint({ node, jurisdictions: [node], partnerId: `${node}-${clientId.toUpperCase()}`, clientId, scopes, ttlSeconds: 3600 }), { mode: 0o600 });
      return file;
    };
    [processes['GT/intake'], processes['GT/screening'], processes['GT/referral-routing'], processes['MX/intake'], processes['MX/referral-routing']] = await Promise.all([
      startServiceProcess('intake', GT, gt),
      startServiceProcess('screening', GT, gt),
      startServiceProcess('referral-routing', GT, gt),
      startServiceProcess('intake', MX, mx),
      startServiceProcess('referral-routing', MX, mx),
    ]);
    processes['MX/reception'] = await startServiceProcess('reception', MX, {
      ...mx,
      INTAKE_URL: processes['MX/intake'].base,
      INTAKE_TOKEN_FILE: await tokenFile('MX', 'reception', ['manifests:register', 'consents:write']),
      ROUTING_URL: processes['MX/referral-routing'].base,
      ROUTING_TOKEN_FILE: await tokenFile('MX', 'reception', ['referrals:write', 'referrals:read']),
      MANIFEST_RETRY_INTERVAL_MS: '300',
    });
    // The exchange topics exist once the nodes started: MirrorMaker may copy them now. Ten
    // processes just started on the run's machine: give MirrorMaker's tasks longer to come up.
    process.env.MIRRORMAKER_READY_TIMEOUT_MS ??= '240000';
    await topology.startMirror();
  }, 20 * 60_000 + 600_000);

  afterAll(async () => {
    try {
      await Promise.all(Object.values(processes).map((p) => p.stop()));
    } finally {
      await topology?.stop();
    }
  }, 180_000);

  it('runs the journey: registered, screened, referred to COMAR, transferred, checked in at the shelter, accepted; GT shows each step and ends transferred', async () => {
    const node = (code: 'GT' | 'MX') => ({
      intake: processes[`${code}/intake`].base,
      screening: processes[`${code}/screening`]?.base ?? '',
      routing: processes[`${code}/referral-routing`].base,
      reception: processes[`${code}/reception`]?.base ?? '',
    });
    result = await runJourneyA({
      nodes: { GT: node('GT'), MX: node('MX') },
      token: (caller) => issuer.mint({ node: caller.node, jurisdictions: [caller.node], partnerId: caller.partnerId, clientId: caller.clientId, scopes: caller.scopes, ttlSeconds: 3600 }),
      say: (line) => lines.push(line),
      seed: process.pid % 10_000,
      waitMs: 180_000,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n--- the journey so far:\n${lines.join('\n')}`);
    });

    expect(result.gtPersonIds).toHaveLength(3);
    expect(new Set(result.mxPersonIds).size).toBe(3);
    expect(result.referralStatus).toBe('accepted');
    expect(['transferred', 'transferred_out']).toContain(result.gtCaseStatus);
    expect(result.gtTimeline).toEqual(expect.arrayContaining(['CaseOpened', 'ConsentRecorded', 'ScreeningCompleted', 'CrossBorderReferralSent', 'TransferRequested', 'TransferCompleted', 'CrossBorderUpdateReceived']));
    // The narration names each call with its Swagger link.
    expect(lines.filter((l) => /^\s+(GET|POST|PATCH) (GT|MX) \S+ \/v1\/\S*\s+http:\/\/127\.0\.0\.1:\d+\/docs#\/[^/\s]+\/\w+$/.test(l)).length).toBeGreaterThan(20);

    // MX: the new case is linked to GT's, its persons registered at the shelter's site, and checked in there.
    const mxIntake = await openTestDataSource({ name: `${MX}_intake`, entities: [], migrations: [], reuse: true });
    try {
      const [link] = await mxIntake.query(`SELECT origin_node, origin_case_id, destination_case_id, status FROM custody_transfer WHERE id = $1`, [result.transferId]);
      expect(link).toEqual({ origin_node: 'GT', origin_case_id: result.gtCaseId, destination_case_id: result.mxCaseId, status: 'completed' });
      const members: { person_id: string }[] = await mxIntake.query(`SELECT person_id FROM case_person WHERE case_id = $1`, [result.mxCaseId]);
      expect(members.map((m) => m.person_id).sort()).toEqual([...result.mxPersonIds].sort());
    } finally {
      await mxIntake.destroy();
    }
  });

  /** Envelopes about the family in an outbox, by receiving node: the exchange topic names the node. */
  const outboxByNode = async (suite: string, service: string, keys: string[]): Promise<Record<string, number>> => {
    const ds = await openTestDataSource({ name: `${suite}_${service}`, entities: [], migrations: [], reuse: true });
    try {
      const rows: { node: string; n: number }[] = await ds.query(
        `SELECT split_part(topic, '.', 3) AS node, count(*)::int AS n FROM outbox_message WHERE topic LIKE 'puente.exchange.%' AND message_key = ANY ($1) GROUP BY 1`,
        [keys],
      );
      return Object.fromEntries(rows.map((r) => [r.node, r.n]));
    } finally {
      await ds.destroy();
    }
  };

  /** Records about the family on a cluster's exchange topics, by receiving node. */
  const topicsByNode = async (broker: BrokerClient, keys: Set<string>): Promise<Record<string, number>> => {
    const admin = broker.admin();
    await admin.connect();
    const topics = (await admin.listTopics().finally(() => admin.disconnect())).filter((t) => t.startsWith('puente.exchange.'));
    const counts: Record<string, number> = {};
    for (const topic of topics) {
      const about = (await readWholeTopic(broker, topic, { timeoutMs: 60_000 })).filter((r) => r.key !== null && keys.has(r.key)).length;
      const to = topic.split('.')[2];
      counts[to] = (counts[to] ?? 0) + about;
    }
    return counts;
  };

  it('never addresses anything about the family to Honduras: not in GT’s or MX’s outboxes, not on either cluster’s exchange topics', async () => {
    expect(result).toBeDefined();
    const keys = [result.gtCaseId, result.mxCaseId, ...result.gtPersonIds, ...result.mxPersonIds];
    const outboxes = {
      'GT intake': await outboxByNode(GT, 'intake', keys),
      'GT referral-routing': await outboxByNode(GT, 'referral-routing', keys),
      'MX intake': await outboxByNode(MX, 'intake', keys),
      'MX referral-routing': await outboxByNode(MX, 'referral-routing', keys),
    };
    // The same query sees what went to the other node: the transfer and the referral to MX, the answers back to GT.
    expect(outboxes['GT intake'].mx).toBeGreaterThan(0);
    expect(outboxes['GT referral-routing'].mx).toBeGreaterThan(0);
    expect(outboxes['MX intake'].gt).toBeGreaterThan(0);
    expect(outboxes['MX referral-routing'].gt).toBeGreaterThan(0);
    for (const counts of Object.values(outboxes)) expect(counts.hn ?? 0).toBe(0);

    const keySet = new Set(keys);
    for (const brokers of [topology.gtBrokers, topology.mxBrokers]) {
      const broker = createBrokerClient({ brokers: parseBrokers(brokers), clientId: `journey-a-${process.pid}` });
      const onTopics = await topicsByNode(broker, keySet);
      expect(onTopics.mx ?? 0).toBeGreaterThan(0);
      expect(onTopics.hn ?? 0).toBe(0);
    }
  });
});
