// Two country nodes, for real: GT's and MX's intake, each with its own Kafka broker and
// PostgreSQL database, joined by a real MirrorMaker 2. Match keys cross the border sealed,
// under the border rules, and the person shows up at MX as a possible duplicate.
import { startTwoNodeTopology, type TwoNodeTopology } from '@puente/federation';
import { eventually } from '@puente/testing';
import { type IntakeTestApp, people, startIntake, uniqueSiteCode } from '../spec/testing/harness';

const MM = `spec-${process.env.PUENTE_TEST_RUN ?? 'ci'}-intake`;
const identityMatching = { purpose: 'identity_matching', method: 'written' };

describe('match keys across the border (two nodes, MirrorMaker 2)', () => {
  let topology: TwoNodeTopology;
  let gt: IntakeTestApp;
  let mx: IntakeTestApp;
  let gtSite: string;
  let mxSite: string;
  const mxToken = () => mx.token({ partnerId: 'MX-MRC-01', node: 'MX', jurisdictions: ['MX'] });

  beforeAll(async () => {
    topology = await startTwoNodeTopology(MM);
    gt = await startIntake('fedgt', { env: { PUENTE_NODE: 'GT', KAFKA_BROKERS: topology.gtBrokers, AUDIT_CHECKPOINT_INTERVAL_SECONDS: '2' } });
    mx = await startIntake('fedmx', { env: { PUENTE_NODE: 'MX', KAFKA_BROKERS: topology.mxBrokers } });
    await topology.startMirror();
    gtSite = uniqueSiteCode('GT-MRC');
    mxSite = uniqueSiteCode('MX-MRC');
    expect((await gt.call('POST', '/v1/sites', { body: { code: gtSite, name: 'CRM Tecún Umán', kind: 'fixed' } })).status).toBe(201);
    expect((await mx.call('POST', '/v1/sites', { body: { code: mxSite, name: 'Albergue Tapachula', kind: 'fixed' }, token: await mxToken() })).status).toBe(201);
  }, 20 * 60_000 + 300_000);

  afterAll(async () => {
    try {
      await gt?.close();
      await mx?.close();
    } finally {
      await topology?.stop();
    }
  }, 120_000);

  const registerAtGt = async (body: Record<string, unknown>) => {
    const res = await gt.call('POST', '/v1/persons', { body });
    expect(res.status).toBe(201);
    return res.body as { personId: string; caseId: string };
  };
  const sentBy = (personId: string): Promise<{ peer: string; kind: string; receipt_outcome: string | null }[]> =>
    gt.ds.query('SELECT peer, kind, receipt_outcome FROM federation_sent_envelope WHERE subject = $1 ORDER BY peer', [personId]);
  const mxHolds = (personId: string): Promise<unknown[]> => mx.ds.query(`SELECT 1 FROM partner_match_key WHERE node = 'GT' AND reference = $1`, [personId]);

  it('a person registered at GT with an identity-matching consent is found at MX as a possible duplicate, and MX answers with a receipt', async () => {
    const atGt = await registerAtGt(people.mariaJose(gtSite, { nationality: 'SV', vulnerabilityFlags: [], familyNames: 'Ramírez Castillo', consents: [identityMatching] }));
    // The same person registers at an MX site, written differently: accents dropped, names in the other order of surnames kept.
    const res = await mx.call('POST', '/v1/persons', {
      body: people.mariaJose(mxSite, { nationality: 'SV', vulnerabilityFlags: [], givenNames: 'Maria Jose', familyNames: 'RAMIREZ CASTILLO' }),
      token: await mxToken(),
    });
    expect(res.status).toBe(201);
    const atMx = res.body as { personId: string; caseId: string };
    const found = await eventually(
      'possible duplicate at MX',
      async () => {
        const rows: { person_id: string; other_node: string; other_reference: string }[] = await mx.ds.query(
          `SELECT person_id, other_node, other_reference FROM possible_duplicate WHERE other_node = 'GT' AND other_reference = $1`,
          [atGt.personId],
        );
        return rows.length > 0 ? rows : null;
      },
      120_000,
    );
    expect(found).toEqual([{ person_id: atMx.personId, other_node: 'GT', other_reference: atGt.personId }]);
    await eventually('receipt from MX', async () => (await sentBy(atGt.personId)).some((r) => r.peer === 'MX' && r.receipt_outcome === 'applied'), 120_000);
  }, 240_000);

  it('a person who did not consent to identity matching is not sent to any node', async () => {
    const before = await registerAtGt(people.mariaJose(gtSite, { nationality: 'SV', vulnerabilityFlags: [], familyNames: 'Sin Consentimiento' }));
    // A consenting person registered after them crosses first-in-first-out: once it arrived, the first would have too.
    const after = await registerAtGt(people.mariaJose(gtSite, { nationality: 'SV', vulnerabilityFlags: [], familyNames: 'Con Consentimiento', consents: [identityMatching] }));
    await eventually('later consenting person at MX', async () => (await mxHolds(after.personId)).length > 0, 120_000);
    expect(await sentBy(before.personId)).toEqual([]);
    expect(await mxHolds(before.personId)).toEqual([]);
  }, 180_000);

  it('a Honduran with a fear of return is never sent to the HN node (MX still gets the keys)', async () => {
    const person = await registerAtGt(people.mariaJose(gtSite, { nationality: 'HN', vulnerabilityFlags: ['fear_of_return'], familyNames: 'Protegida', consents: [identityMatching] }));
    await eventually('sent to MX', async () => (await sentBy(person.personId)).some((r) => r.peer === 'MX'), 120_000);
    const peers = (await sentBy(person.personId)).map((r) => r.peer);
    expect(peers).not.toContain('HN');
    expect(peers).toEqual(expect.arrayContaining(['MX', 'SV', 'US', 'CR']));
    // A Salvadoran with the same fear of return is sent to HN (the block is about the nationality's node).
    const salvadoran = await registerAtGt(people.mariaJose(gtSite, { nationality: 'SV', vulnerabilityFlags: ['fear_of_return'], familyNames: 'Otra Protegida', consents: [identityMatching] }));
    await eventually('sent', async () => (await sentBy(salvadoran.personId)).length > 0, 120_000);
    const salvadoranPeers = (await sentBy(salvadoran.personId)).map((r) => r.peer);
    expect(salvadoranPeers).toContain('HN');
    expect(salvadoranPeers).not.toContain('SV');
  }, 180_000);

  it('withdrawing the consent sends a retraction and MX deletes the keys it held', async () => {
    const person = await registerAtGt(people.mariaJose(gtSite, { nationality: 'SV', vulnerabilityFlags: [], familyNames: 'Retirada', consents: [identityMatching] }));
    await eventually('keys at MX', async () => (await mxHolds(person.personId)).length > 0, 120_000);
    const consents = await gt.call('GET', `/v1/cases/${person.caseId}/consents`);
    const consentId = consents.body.items.find((c: { purpose: string }) => c.purpose === 'identity_matching').id;
    const withdrawn = await gt.call('POST', `/v1/consents/${consentId}/withdraw`);
    expect(withdrawn.status).toBeLessThan(300);
    await eventually('keys gone at MX', async () => (await mxHolds(person.personId)).length === 0, 120_000);
    expect((await sentBy(person.personId)).map((r) => `${r.peer}:${r.kind}`)).toContain('MX:match-keys-retraction');
  }, 180_000);

  it('GT sends the head of its audit chain; MX keeps it as witnessed, and it is a record of GT\'s chain', async () => {
    await registerAtGt(people.mariaJose(gtSite, { nationality: 'SV', vulnerabilityFlags: [], familyNames: 'Auditada' }));
    const witnessed = await eventually(
      'a checkpoint of GT at MX',
      async () => {
        const rows: { seq: string; hash: string }[] = await mx.ds.query(`SELECT seq::text, hash FROM audit_witness_checkpoint WHERE node = 'GT' AND service = 'intake' ORDER BY seq DESC LIMIT 1`);
        return rows[0] ?? null;
      },
      120_000,
    );
    expect(await gt.ds.query('SELECT hash FROM audit_record WHERE seq = $1', [witnessed.seq])).toEqual([{ hash: witnessed.hash }]);
  }, 180_000);

  it('an erasure at GT: MX deletes the keys it held and answers; GT\'s notice to MX is receipted and the caseworker sees no receipt missing from MX', async () => {
    const person = await registerAtGt(people.mariaJose(gtSite, { nationality: 'SV', vulnerabilityFlags: [], familyNames: 'Borrada', consents: [identityMatching] }));
    await eventually('keys at MX', async () => (await mxHolds(person.personId)).length > 0, 120_000);
    expect((await gt.call('POST', `/v1/persons/${person.personId}/erase`)).status).toBeLessThan(300);
    const notices = async () => (await gt.call('GET', `/v1/persons/${person.personId}/retractions`)).body as { items: { receiver: string; cause: string; status: string; channels: string[] }[]; missingReceipts: number };
    // One notice per node that got the keys (the dev registry agrees with every dev node; only MX answers here).
    expect((await notices()).items.map((n) => `${n.receiver}:${n.cause}:${n.channels.join(',')}`)).toEqual(expect.arrayContaining(['MX:person-erased:match-keys']));
    await eventually('keys gone at MX', async () => (await mxHolds(person.personId)).length === 0, 120_000);
    await eventually('MX receipted the notice', async () => (await notices()).items.find((n) => n.receiver === 'MX')?.status === 'receipted', 120_000);
    const after = await notices();
    expect(after.items.filter((n) => n.receiver === 'MX').map((n) => n.status)).toEqual(['receipted']);
    // The other dev nodes answer only if some suite runs them on the run's shared brokers (journey B runs HN, and
    // CI saw HN's receipt): what the caseworker is told is missing is exactly what is not receipted.
    expect(after.missingReceipts).toBe(after.items.filter((n) => n.status !== 'receipted').length);
    expect(after.missingReceipts).toBeLessThan(after.items.length);
    const receipted: { event_type: string }[] = await gt.ds.query(
      `SELECT event_type FROM outbox_message WHERE topic = 'puente.referral.retraction.v1' AND event_type = 'puente.referral.v1.RetractionReceipted' AND position(convert_to($1, 'UTF8') in payload) > 0`,
      [person.personId],
    );
    expect(receipted).toHaveLength(1);
  }, 240_000);
});
