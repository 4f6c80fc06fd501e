// Journey B, United States → Honduras (issue 15), across nodes HN and GT: a returning country's
// system posts a 120-person manifest for a flight to San Pedro Sula; persons Honduras already
// knew are matched to their cases, and persons first registered at a Guatemalan MRC (who
// consented there to identity matching) are found through the match keys GT shared with HN;
// at check-in three raise a fear of return and get pending screenings, the others consent to
// reintegration; one plan gets a skills profile, job matches and its four follow-ups on a clock
// the test moves (a year in seconds), and its outcome comes back for the reception center.
// Each node has its own Kafka cluster, joined by a real MirrorMaker 2; every service is its own
// process with its own database, as `npm start` runs them: all five on node HN, intake on node
// GT. Reintegration runs its test entrypoint, whose clock is a file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEvent, type EventType, type PlanClosed, PlanOutcome, PlanStatus, Topics } from '@puente/contracts';
import { startTwoNodeTopology, type TwoNodeTopology } from '@puente/federation';
import { type BrokerClient, createBrokerClient, readTopic, type RecordedEvent } from '@puente/messaging';
import { databaseUrl, eventually, type ServiceProcess, startServiceProcess, testDatabaseName } from '@puente/testing';
import { Client } from 'pg';

jest.setTimeout(300_000);

const SUITE = 'journeyb';
const NODE = 'HN';
const CENTER = 'HN-CAMR-SAP';
/** The Guatemalan node and the MRC where some of the flight's persons were first registered. */
const PEER = 'GT';
const PEER_SUITE = 'journeybgt';
const PEER_MRC = 'GT-MRC-01';
const START_TIMEOUT_MS = 240_000;
const DAY = 86_400_000;
const SEED = process.pid % 1000;
const today = () => new Date().toISOString().slice(0, 10);

const GIVEN = ['José', 'María', 'Kevin', 'Ana', 'Luis', 'Wendy', 'Carlos', 'Dilcia', 'Jorge', 'Yesenia', 'Elmer', 'Gloria'];
const FAMILY = ['Castillo', 'Hernández', 'Mejía', 'López', 'Reyes', 'Pérez', 'Chávez', 'Ramírez', 'Morales', 'Zelaya', 'Banegas', 'Funes'];

/** The i-th returnee on the flight: a unique name and birth date, a Honduran national. */
function returnee(i: number) {
  const n = SEED * 1000 + i;
  return {
    returningReference: `A-${String(210_000_000 + n)}`,
    givenNames: `${GIVEN[i % GIVEN.length]} ${GIVEN[Math.floor(i / GIVEN.length) % GIVEN.length]}`,
    familyNames: `${FAMILY[i % FAMILY.length]} ${FAMILY[(n * 7) % FAMILY.length]}`,
    birthDate: `${1965 + (n % 40)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (Math.floor(i / 12) % 28)).padStart(2, '0')}`,
    nationality: 'HN',
    sex: i % 2 === 0 ? ('female' as const) : ('male' as const),
  };
}

/** Five bad rows, by their row number (from 1) and the field that is wrong (none of rows 2-41, the known persons). */
const BAD: Record<number, { field: string; change: Record<string, unknown> }> = {
  1: { field: 'birthDate', change: { birthDate: '1990-02-30' } },
  45: { field: 'nationality', change: { nationality: 'Honduras' } },
  58: { field: 'sex', change: { sex: 'M' } },
  91: { field: 'givenNames', change: { givenNames: '' } },
  120: { field: 'returningReference', change: { returningReference: 'has spaces in it' } },
};
const ROWS = 120;
const PROTECTION_PARTNER = 'HN-DIPPDIV';
const KNOWN = 40;
/** Of the known: the last ten were first registered at the Guatemalan MRC, not in Honduras. */
const KNOWN_AT_PEER = 10;
const KNOWN_HERE = KNOWN - KNOWN_AT_PEER;

describe('Journey B, United States → Honduras (processes of nodes HN and GT, real Kafka, MirrorMaker 2 and PostgreSQL)', () => {
  let topology: TwoNodeTopology<'HN', 'GT'>;
  let peerIntake: ServiceProcess;
  let intake: ServiceProcess;
  let screening: ServiceProcess;
  let routing: ServiceProcess;
  let reception: ServiceProcess;
  let reintegration: ServiceProcess;
  let clockFile: string;
  let protectionProgram: string;
  const tokens: Record<string, string> = {};
  let broker: BrokerClient;

  /** Where the reintegration process's clock stands. */
  const setClock = (at: Date) => writeFileSync(clockFile, at.toISOString());

  // The persons of the flight, in manifest order (bad rows in place), and who intake knew before.
  const people = Array.from({ length: ROWS }, (_, i) => returnee(i));
  const knownPersonIds = new Map<string, string>(); // returningReference → personId at intake
  const peerPersonIds = new Map<string, string>(); // returningReference → personId at GT's intake
  let manifestId: string;
  let arrivals: { id: string; caseId: string; personId: string; status: string; match: string | null; movementId: string }[];
  let fearful: typeof arrivals;
  let others: typeof arrivals;

  beforeAll(async () => {
    clockFile = join(mkdtempSync(join(tmpdir(), 'puente-journey-b-')), 'clock');
    // Each node's cluster from empty storage; MirrorMaker joins them once both intakes made their exchange topics.
    topology = await startTwoNodeTopology(`journeyb-${process.env.PUENTE_TEST_RUN ?? 'ci'}`, [NODE, PEER]);
    broker = createBrokerClient({ brokers: topology.brokers[NODE].split(','), clientId: `journey-b-${SEED}` });
    const node = { PUENTE_NODE: NODE, KAFKA_BROKERS: topology.brokers[NODE] };
    // The five that do not depend on another's URL start together (six processes and two brokers
    // on two cores: each gets four minutes to listen); reception needs intake's and routing's.
    const starting = {
      peerIntake: startServiceProcess('intake', PEER_SUITE, { PUENTE_NODE: PEER, KAFKA_BROKERS: topology.brokers[PEER] }, { startTimeoutMs: START_TIMEOUT_MS }),
      intake: startServiceProcess('intake', SUITE, node, { startTimeoutMs: START_TIMEOUT_MS }),
      screening: startServiceProcess('screening', SUITE, node, { startTimeoutMs: START_TIMEOUT_MS }),
      routing: startServiceProcess('referral-routing', SUITE, node, { startTimeoutMs: START_TIMEOUT_MS }),
      reintegration: startServiceProcess(
        'reintegration',
        SUITE,
        { ...node, REINTEGRATION_CLOCK_FILE: clockFile, FOLLOW_UP_SWEEP_INTERVAL_MS: '0' },
        { main: 'services/reintegration/src/testing/main-with-clock-file.ts', startTimeoutMs: START_TIMEOUT_MS },
      ),
    };
    // Those that started are kept even when another did not (afterAll stops them).
    const settled = await Promise.allSettled(Object.values(starting));
    [peerIntake, intake, screening, routing, reintegration] = settled.map((r) => (r.status === 'fulfilled' ? r.value : undefined)) as ServiceProcess[];
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const hn = { node: NODE, jurisdictions: [NODE] };
    const mirror = topology.startMirror();
    reception = await startServiceProcess('reception', SUITE, {
      ...node,
      INTAKE_URL: intake.base,
      INTAKE_TOKEN_FILE: await intake.tokenFile({ ...hn, scopes: ['manifests:register', 'consents:write'], clientId: 'reception', partnerId: 'HN-RECEPTION' }),
      ROUTING_URL: routing.base,
      ROUTING_TOKEN_FILE: await routing.tokenFile({ ...hn, scopes: ['referrals:write', 'referrals:read'], clientId: 'reception', partnerId: 'HN-RECEPTION' }),
      MANIFEST_RETRY_INTERVAL_MS: '300',
    }, { startTimeoutMs: START_TIMEOUT_MS });
    await mirror;
    tokens.intakeStaff = await intake.mint({ ...hn, scopes: ['sites:admin', 'persons:write', 'persons:read', 'cases:read', 'cases:write', 'consents:write'], clientId: 'hn-caseworker-app', partnerId: 'HN-CAMR-SAP' });
    tokens.partner = await reception.mint({ ...hn, scopes: ['manifests:write'], clientId: 'us-ice-manifest-gateway', partnerId: 'US-ICE' });
    tokens.desk = await reception.mint({ ...hn, scopes: ['arrivals:read', 'arrivals:write'], clientId: 'hn-camr-desk', partnerId: 'HN-CAMR-SAP' });
    tokens.screening = await screening.mint({ ...hn, scopes: ['screening:read', 'screening:write'], clientId: 'hn-protection-officer', partnerId: 'HN-CAMR-SAP' });
    tokens.caseworker = await reintegration.mint({ ...hn, scopes: ['reintegration:read', 'reintegration:write'], clientId: 'hn-reintegration-app', partnerId: 'HN-CAMR-SAP' });
    tokens.employer = await reintegration.mint({ ...hn, scopes: ['openings:write'], clientId: 'constructora-portal', partnerId: 'HN-EMP-CONSTRUCTORA-SPS' });

    tokens.routingStaff = await routing.mint({ ...hn, scopes: ['directory:read', 'partners:admin', 'referrals:read', 'referrals:write', 'cases:read'], clientId: 'hn-protection-officer', partnerId: 'HN-CAMR-SAP' });

    // Routing's directory: a Honduran protection program for internally displaced persons and returnees at risk, with its agreement.
    const partner = await routing.call('POST', '/v1/directory/partners', tokens.routingStaff, {
      id: PROTECTION_PARTNER,
      name: 'Dirección para la Protección de Personas Desplazadas Internamente por la Violencia',
      kind: 'government_agency',
      partnerType: 'return_reception_agency',
      country: NODE,
      node: NODE,
      deliveryChannels: ['rest_pull'],
    });
    expect(partner).toMatchObject({ status: 201 });
    const program = await routing.call('POST', '/v1/directory/programs', tokens.routingStaff, {
      partnerId: PROTECTION_PARTNER,
      name: 'Atención y protección a personas retornadas con necesidades de protección',
      description: 'Protection assessment, relocation within Honduras and legal assistance for returnees who fear going home.',
      pathway: 'idp_protection',
      totalSlots: 50,
      slaAcknowledgeHours: 24,
      slaDecideHours: 120,
    });
    expect(program).toMatchObject({ status: 201 });
    protectionProgram = program.body.id;
    const agreement = await routing.call('POST', '/v1/directory/agreements', tokens.routingStaff, {
      partnerId: PROTECTION_PARTNER,
      reference: 'Convenio DIPPDIV–SRECI 2026/07',
      purposes: ['referral'],
      fieldsByPurpose: { referral: ['caseId', 'coveredPersonIds', 'ageBand', 'sex', 'nationality', 'flags'] },
      validFrom: '2026-01-01',
    });
    expect(agreement).toMatchObject({ status: 201 });

    // The center is intake's registration site (reception seeds the center itself).
    const site = await intake.call('POST', '/v1/sites', tokens.intakeStaff, { code: CENTER, name: 'Centro de Atención al Migrante Retornado San Pedro Sula', kind: 'reception' });
    expect([201, 409]).toContain(site.status);
    // The Guatemalan MRC at node GT, and its caseworkers' token there.
    tokens.peerStaff = await peerIntake.mint({ node: PEER, jurisdictions: [PEER], scopes: ['sites:admin', 'persons:write', 'cases:read'], clientId: 'gt-mrc-caseworker-app', partnerId: PEER_MRC });
    const mrc = await peerIntake.call('POST', '/v1/sites', tokens.peerStaff, { code: PEER_MRC, name: 'Centro de Recepción de Migrantes Tecún Umán', kind: 'fixed' });
    expect([201, 409]).toContain(mrc.status);
  }, 20 * 60_000 + 300_000);

  afterAll(async () => {
    try {
      await Promise.all([reception?.stop(), reintegration?.stop(), routing?.stop(), screening?.stop(), intake?.stop(), peerIntake?.stop()]);
    } finally {
      await topology?.stop();
    }
  }, 120_000);

  const eventsOf = async (topic: string, key: string, type: string): Promise<RecordedEvent[]> => {
    const pick = (seen: RecordedEvent[]) => seen.filter((e) => e.key === key && e.headers.ce_type === type);
    return pick(await readTopic(broker, topic, { until: (seen) => pick(seen).length >= 1, timeoutMs: 60_000 }));
  };

  it('forty persons of the flight were met before: thirty in Honduras, ten at a Guatemalan MRC whose keys GT shared with HN', async () => {
    for (let i = 0; i < KNOWN_HERE; i++) {
      const p = people[i + 1]; // rows 2..31: none of them a bad row
      const res = await intake.call('POST', '/v1/persons', tokens.intakeStaff, { siteCode: CENTER, givenNames: p.givenNames, familyNames: p.familyNames, birthDate: p.birthDate, nationality: p.nationality, sex: p.sex, case: {} });
      expect(res.status).toBe(201);
      knownPersonIds.set(p.returningReference, res.body.personId ?? res.body.id);
    }
    // Rows 32..41 passed through Guatemala on their way north: registered at GT-MRC-01, each
    // consenting there to identity matching with other nodes (so GT shares their match keys).
    for (let i = KNOWN_HERE; i < KNOWN; i++) {
      const p = people[i + 1];
      const res = await peerIntake.call('POST', '/v1/persons', tokens.peerStaff, {
        siteCode: PEER_MRC,
        givenNames: p.givenNames,
        familyNames: p.familyNames,
        birthDate: p.birthDate,
        nationality: p.nationality,
        sex: p.sex,
        consents: [{ purpose: 'identity_matching', method: 'written' }],
        case: {},
      });
      expect(res.status).toBe(201);
      peerPersonIds.set(p.returningReference, res.body.personId ?? res.body.id);
    }
    expect([knownPersonIds.size, peerPersonIds.size]).toEqual([KNOWN_HERE, KNOWN_AT_PEER]);
    // HN's intake holds GT's keys of the ten once the sealed envelopes crossed (MirrorMaker) and were verified.
    const hnIntake = new Client({ connectionString: databaseUrl(testDatabaseName(`${SUITE}_intake`)) });
    await hnIntake.connect();
    try {
      await eventually(
        "GT's match keys of the ten at HN",
        async () => {
          const rows: { n: number }[] = (
            await hnIntake.query(`SELECT count(DISTINCT reference)::int AS n FROM partner_match_key WHERE node = $1 AND reference = ANY($2::text[])`, [PEER, [...peerPersonIds.values()]])
          ).rows;
          return rows[0].n === KNOWN_AT_PEER;
        },
        120_000,
      );
    } finally {
      await hnIntake.end();
    }
  });

  it('the manifest of 120 is taken with its 5 bad rows reported by row and field; 40 are matched: 30 to their Honduran cases, 10 to their records at GT', async () => {
    const persons = people.map((p, i) => (BAD[i + 1] ? { ...p, ...BAD[i + 1].change } : p));
    const res = await reception.call('POST', '/v1/manifests', tokens.partner, {
      movement: { reference: `ICE-IAFR-${today()}-SAP-${SEED}`, kind: 'flight', centerCode: CENTER, expectedOn: today(), carrierReference: `IAFR-${SEED}`, returningCountry: 'US' },
      persons,
    });
    expect(res.status).toBe(201);
    expect(res.body.accepted).toBe(ROWS - 5);
    expect(res.body.rejected.map((r: { row: number; field: string }) => [r.row, r.field]).sort((a: number[], b: number[]) => a[0] - b[0])).toEqual(
      Object.entries(BAD).map(([row, b]) => [Number(row), b.field]),
    );
    // Rows are answered by number and field, never with the value sent.
    expect(JSON.stringify(res.body.rejected)).not.toMatch(/Honduras|1990-02-30|has spaces/);
    manifestId = res.body.id;

    const done = await eventually(
      'manifest matched at intake',
      async () => {
        const m = await reception.call('GET', `/v1/manifests/${manifestId}`, tokens.partner);
        return m.body.status === 'matched' ? m.body : undefined;
      },
      90_000,
    );
    // Known in Honduras: matched to their cases. Known only in Guatemala: registered here, linked below.
    expect(done.counts).toMatchObject({ pending: 0, expected: ROWS - 5, matched: KNOWN_HERE, registered: ROWS - 5 - KNOWN_HERE, rejectedByIntake: 0 });

    const list = await reception.call('GET', `/v1/centers/${CENTER}/arrivals?date=${today()}`, tokens.desk);
    expect(list.status).toBe(200);
    arrivals = (Array.isArray(list.body) ? list.body : list.body.items).filter((a: { movementId: string }) => a.movementId === manifestId);
    expect(arrivals).toHaveLength(ROWS - 5);
    const matched = arrivals.filter((a) => a.match === 'matched');
    expect(new Set(matched.map((a) => a.personId))).toEqual(new Set(knownPersonIds.values()));

    // The ten first met in Guatemala: each new Honduran record is a possible duplicate of GT's
    // record of them (node and opaque reference only), and the caseworker links the two.
    const indexOf = new Map(people.map((p, i) => [p.returningReference, i]));
    for (const [reference, peerPersonId] of peerPersonIds) {
      // Arrivals are listed in manifest order without the bad rows; before row 45 only row 1 is one.
      const arrival = arrivals[(indexOf.get(reference) as number) - 1];
      expect(arrival.match).toBe('registered');
      const duplicates = await intake.call('GET', `/v1/duplicates?personId=${arrival.personId}`, tokens.intakeStaff);
      expect(duplicates.status).toBe(200);
      const fromPeer = duplicates.body.items.filter((d: { otherNode: string }) => d.otherNode === PEER);
      expect(fromPeer.map((d: { otherReference: string; status: string }) => [d.otherReference, d.status])).toEqual([[peerPersonId, 'open']]);
      const linked = await intake.call('POST', `/v1/duplicates/${fromPeer[0].id}/link`, tokens.intakeStaff);
      expect(linked.status).toBe(200);
      expect(linked.body).toMatchObject({ otherNode: PEER, otherReference: peerPersonId, status: 'linked' });
    }
  });

  it('at check-in three raise a fear of return and get pending screenings; the others consent to reintegration', async () => {
    // Two of the three were known in Honduras before, one is new.
    fearful = [arrivals.find((a) => a.match === 'matched')!, arrivals.filter((a) => a.match === 'matched')[1], arrivals.find((a) => a.match === 'registered')!];
    others = arrivals.filter((a) => !fearful.includes(a));
    for (const a of fearful) {
      const checkIn = await reception.call('POST', `/v1/arrivals/${a.id}/check-in`, tokens.desk, { outcome: 'arrived', desk: `${CENTER}/desk-1`, consents: ['reception_services', 'referral'], consentMethod: 'written' });
      expect(checkIn.status).toBe(200);
      const interview = await reception.call('POST', `/v1/arrivals/${a.id}/interview`, tokens.desk, {
        desk: `${CENTER}/desk-4`,
        reasonsForMigration: ['gang_recruitment'],
        timeAbroad: '1_to_3_years',
        returnsBefore: 'none',
        needs: ['psychosocial_support', 'legal_advice'],
        protectionIndicators: ['fear_of_return'],
      });
      expect(interview.status).toBe(201);
      expect(interview.body.concernsRaised).toContain('fear_of_return');
    }
    for (const a of fearful) {
      const pending = await eventually(
        `pending screening of case ${a.caseId}`,
        async () => {
          const res = await screening.call('GET', `/v1/cases/${a.caseId}/screenings`, tokens.screening);
          return res.status === 200 ? res.body.items.find((s: { status: string }) => s.status === 'pending') : undefined;
        },
        60_000,
      );
      expect(pending).toMatchObject({ caseId: a.caseId, status: 'pending' });
    }

    // The others check in four desks at a time, each consenting to reintegration support.
    const queue = [...others];
    await Promise.all(
      [1, 2, 3, 4].map(async (desk) => {
        for (let a = queue.shift(); a; a = queue.shift()) {
          const res = await reception.call('POST', `/v1/arrivals/${a.id}/check-in`, tokens.desk, {
            outcome: 'arrived',
            desk: `${CENTER}/desk-${desk}`,
            consents: ['reception_services', 'reintegration_support', 'follow_up_contact'],
            consentMethod: 'verbal_with_witness',
            witnessedBy: `${CENTER}/sw-00${desk}`,
          });
          expect(res.status).toBe(200);
        }
      }),
    );
    const ops = await reception.call('GET', `/v1/centers/${CENTER}/operations?date=${today()}`, tokens.desk);
    expect(ops.status).toBe(200);
  });

  it('the three are screened (fear of return on a convention ground) and referred through routing to protection in Honduras', async () => {
    for (const a of fearful) {
      // The protection officer records the screening consent at intake; screening learns it from intake's events.
      const consent = await intake.call('POST', `/v1/cases/${a.caseId}/consents`, tokens.intakeStaff, { personId: a.personId, purpose: 'screening', method: 'written' });
      expect(consent).toMatchObject({ status: 201 });
      const started = await eventually(
        `screening of case ${a.caseId} started`,
        async () => {
          const res = await request(screening.base, 'POST', '/v1/screenings', tokens.screening, { caseId: a.caseId });
          return res.status === 200 ? res : undefined;
        },
        60_000,
      );
      expect(started.body).toMatchObject({ status: 'in_progress', trigger: 'protection_concern' });
      const answered = await request(screening.base, 'PATCH', `/v1/screenings/${started.body.id}/answers`, tokens.screening, { answers: FEAR_OF_RETURN }, { 'if-match': started.etag! });
      expect(answered).toMatchObject({ status: 200 });
      const done = await request(screening.base, 'POST', `/v1/screenings/${started.body.id}/complete`, tokens.screening, undefined, { 'if-match': answered.etag! });
      expect(done).toMatchObject({ status: 200 });
      expect(done.body.status).toBe('completed');
      const result = await request(screening.base, 'GET', `/v1/screenings/${started.body.id}/result`, tokens.screening);
      expect(JSON.stringify(result.body)).toContain('fear_of_return');
      expect(JSON.stringify(result.body)).toContain('political_opinion');
      expect(JSON.stringify(result.body)).toContain('idp_protection');

      // Routing reads the completed screening and suggests the protection program; the officer refers.
      const suggested = await eventually(
        `routing's suggestions for case ${a.caseId}`,
        async () => {
          const res = await routing.call('GET', `/v1/cases/${a.caseId}/suggestions`, tokens.routingStaff);
          return res.status === 200 ? res.body.suggestions.find((x: { programId: string }) => x.programId === protectionProgram) : undefined;
        },
        60_000,
      );
      expect(suggested).toMatchObject({ pathway: 'idp_protection', hostedHere: true });
      const referral = await eventually(
        `referral of case ${a.caseId}`,
        async () => {
          const res = await routing.call('POST', '/v1/referrals', tokens.routingStaff, { caseId: a.caseId, programId: protectionProgram, coveredPersonIds: [a.personId], reason: 'caseworker_referral', suggestionId: suggested.suggestionId });
          return res.status === 201 ? res.body : undefined;
        },
        60_000,
      );
      expect(referral).toMatchObject({ caseId: a.caseId, programId: protectionProgram });
    }
  });

  it('reintegration opens a draft plan referred by the center for everyone who consented, and none for the three', async () => {
    for (const a of [others[0], others[others.length - 1]]) {
      const plan = await eventually(
        `draft plan of case ${a.caseId}`,
        async () => (await reintegration.call('GET', `/v1/plans?caseId=${a.caseId}`, tokens.caseworker)).body?.items?.[0],
        60_000,
      );
      expect(plan).toMatchObject({ caseId: a.caseId, status: 'draft', referringCenterCode: CENTER });
    }
    await eventually(
      'a draft plan for each of the others',
      async () => {
        let count = 0;
        let cursor: string | null = null;
        do {
          const page: { status: number; body: { items: { status: string }[]; nextCursor: string | null } } = await reintegration.call('GET', `/v1/plans?limit=100${cursor ? `&cursor=${cursor}` : ''}`, tokens.caseworker);
          count += page.body.items.length;
          cursor = page.body.nextCursor;
        } while (cursor);
        return count === others.length;
      },
      90_000,
    );
    for (const a of fearful) expect((await reintegration.call('GET', `/v1/plans?caseId=${a.caseId}`, tokens.caseworker)).body.items).toEqual([]);
  });

  it('one plan: skills profile (English B2, construction), job matches, follow-ups at 1, 3, 6 and 12 months on a moved clock, and the outcome for the center', async () => {
    const a = others[0];
    const start = new Date();
    setClock(start);
    const plan = (await reintegration.call('GET', `/v1/plans?caseId=${a.caseId}`, tokens.caseworker)).body.items[0];
    const activated = await reintegration.call('POST', `/v1/plans/${plan.id}/transitions`, tokens.caseworker, { action: 'activate' });
    expect(activated.status).toBe(200);
    expect(activated.body.status).toBe('active');

    // English B2 and bricklaying (ISCO-08 7112) learned on US building sites.
    const profile = await reintegration.call('PUT', `/v1/persons/${a.personId}/skills-profile`, tokens.caseworker, {
      languages: [
        { code: 'es', level: 'C2' },
        { code: 'en', level: 'B2' },
      ],
      occupations: [{ iscoCode: '7112', years: 6, learnedAbroad: true }],
      certificates: [],
      workAbroad: [{ country: 'US', sector: 'F', years: 6 }],
      educationLevel: 'isced_2',
      workArea: { lat: 15.52, lon: -88.0 },
    });
    expect(profile.status).toBe(201);

    // An employer partner posts openings: one for a bilingual site foreman's crew, one unrelated.
    const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
    const bricklayer = await reintegration.call('POST', '/v1/job-openings', tokens.employer, {
      title: 'Albañil bilingüe para obra de exportadora',
      iscoCode: '7112',
      location: { name: 'San Pedro Sula', lat: 15.5, lon: -88.03 },
      requiredSkills: [],
      requiredLanguages: [{ code: 'en', level: 'B1' }],
      slots: 3,
      opensOn: day(-1),
      closesOn: day(60),
    });
    expect(bricklayer.status).toBe(201);
    const nurse = await reintegration.call('POST', '/v1/job-openings', tokens.employer, {
      title: 'Auxiliar de enfermería',
      iscoCode: '3221',
      location: { name: 'La Ceiba', lat: 15.78, lon: -86.79 },
      requiredSkills: [],
      requiredLanguages: [],
      slots: 1,
      opensOn: day(-1),
    });
    expect(nurse.status).toBe(201);
    const matches = await reintegration.call('GET', `/v1/persons/${a.personId}/job-matches?limit=50`, tokens.caseworker);
    expect(matches.status).toBe(200);
    const ids = matches.body.matches.map((m: { openingId: string }) => m.openingId);
    expect(ids).toContain(bricklayer.body.id);
    expect(ids).not.toContain(nurse.body.id);
    expect(matches.body.matches.find((m: { openingId: string }) => m.openingId === bricklayer.body.id).score).toBeGreaterThan(0.9);

    // Follow-ups: the clock moves past each milestone; a year passes in seconds.
    // Each question's answer codes come worst first: the first follow-up middling, the rest the best.
    const questions: { id: string; answers: string[] }[] = (await reintegration.call('GET', '/v1/sustainability-questions', tokens.caseworker)).body;
    const answers = (k: number) => Object.fromEntries(questions.map((q) => [q.id, q.answers[Math.min(k, q.answers.length - 1)]]));
    const schedule = (await reintegration.call('GET', `/v1/plans/${plan.id}/follow-ups`, tokens.caseworker)).body;
    expect(schedule.map((f: { milestone: string }) => f.milestone)).toEqual(['month_1', 'month_3', 'month_6', 'month_12']);
    const statusOf = async (milestone: string) =>
      (await reintegration.call('GET', `/v1/plans/${plan.id}/follow-ups`, tokens.caseworker)).body.find((x: { milestone: string }) => x.milestone === milestone).status;
    for (const [k, f] of schedule.entries()) {
      // Month 1 is recorded late (past its 14 days of grace: overdue), the others days after they fall due.
      setClock(new Date(new Date(f.dueAt).getTime() + (k === 0 ? 20 : 2) * DAY));
      expect(await statusOf(f.milestone)).toBe(k === 0 ? 'overdue' : 'pending');
      const recorded = await reintegration.call('POST', `/v1/plans/${plan.id}/follow-ups/${f.milestone}`, tokens.caseworker, { answers: answers(k === 0 ? 1 : 9) });
      expect(recorded.status).toBe(201);
      expect(new Date(recorded.body.recordedAt).getTime()).toBeGreaterThan(new Date(f.dueAt).getTime());
    }
    expect(new Date(schedule[3].dueAt).getTime() - start.getTime()).toBeGreaterThan(360 * DAY);

    const closed = await reintegration.call('POST', `/v1/plans/${plan.id}/transitions`, tokens.caseworker, { action: 'complete', outcome: 'sustainably_reintegrated' });
    expect(closed.body).toMatchObject({ status: 'completed', outcome: 'sustainably_reintegrated' });

    // The outcome for the referring center: PlanClosed names the center and its node, with the last scores.
    const [event] = await eventsOf(Topics.reintegrationPlan.name, a.caseId, 'puente.reintegration.v1.PlanClosed');
    expect(decodeEvent(event.headers.ce_type as EventType, event.value) as PlanClosed).toMatchObject({
      planId: plan.id,
      status: PlanStatus.COMPLETED,
      outcome: PlanOutcome.SUSTAINABLY_REINTEGRATED,
      referringCenterCode: CENTER,
      referringNode: NODE,
      lastScores: { composite: 1 },
    });
    // ...and the center sees it: reception keeps the outcome of each plan it referred (ids, codes, scores).
    const outcome = await eventually('the outcome at the reception center', async () => {
      const res = await reception.call('GET', `/v1/centers/${CENTER}/reintegration-outcomes`, tokens.desk);
      return res.body?.items?.find((o: { planId: string }) => o.planId === plan.id);
    });
    expect(outcome).toMatchObject({ caseId: a.caseId, centerCode: CENTER, status: 'completed', outcome: 'sustainably_reintegrated', lastScores: { composite: 1 } });
  });
});


/** The fearful returnees' answers: threatened by a gang for refusing its demands and for their political opinion. */
const FEAR_OF_RETURN = {
  q_age: 31,
  q_nationality: 'hn',
  q_current_location: 'returned_to_origin',
  q_return_date: new Date().toISOString().slice(0, 10),
  q_indigenous: false,
  q_travelling_with: 'alone',
  q_family_abroad: 'no',
  q_fear_of_return: true,
  q_harm_sources: ['criminal_group'],
  q_harm_reasons: ['refused_gang_demands', 'political_opinion'],
  q_last_threat: 'within_year',
  q_danger_now: false,
  q_violence: ['none'],
  q_trafficking: ['none'],
  q_medical: 'none',
  q_pregnancy: 'no',
  q_disability: ['none'],
  q_distress: false,
  q_lgbtqi_risk: 'no',
  q_safe_place_tonight: true,
  q_intention: 'stay_here',
  q_work_abroad_interest: false,
};

/** A JSON call that also answers the ETag (for If-Match). */
async function request(base: string, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': crypto.randomUUID(), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, etag: res.headers.get('etag') };
}
