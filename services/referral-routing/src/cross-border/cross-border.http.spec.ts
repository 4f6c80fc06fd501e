// Two country nodes, for real: GT's and MX's referral routing, each with its own Kafka broker and
// PostgreSQL database, joined by a real MirrorMaker 2. A GT caseworker refers a case to a program
// that runs in Mexico: MX's partner pulls it like any local referral, works it, and GT sees every
// change and the outcome on its referral and its case's events.
import { randomUUID } from 'node:crypto';
import { PersonErasedSchema, Topics, toTimestamp } from '@puente/contracts';
import { startTwoNodeTopology, type TwoNodeTopology } from '@puente/federation';
import { eventually } from '@puente/testing';
import { consumed, expectProblem, publishEvent } from '../testing/harness';
import { openCase, type ReferralApp, startReferralApp, withdrawReferralConsent } from '../referrals/spec/fixtures';

const PARTNER = `MX-ASYL-${randomUUID().slice(0, 6).toUpperCase()}`;
const PROGRAM = randomUUID();

/** The same partner and program in both nodes' directories (hosted by MX), and each node's agreement with the partner. */
async function addMexicanProgram(app: ReferralApp, node: string): Promise<void> {
  await app.ds.query(
    `INSERT INTO directory_partner (id, name, kind, partner_type, country, node, delivery_channels) VALUES ($1, 'Asylum office (test)', 'government_agency', 'government_asylum_agency', 'MX', 'MX', '{rest_pull}')`,
    [PARTNER],
  );
  await app.ds.query(
    `INSERT INTO directory_program (id, partner_id, name, description, pathway, node, total_slots, open_slots, sla_acknowledge_hours, sla_decide_hours)
     VALUES ($1, $2, 'Refugee status determination', 'Asylum in Mexico', 'asylum', 'MX', 10, 10, 72, 1080)`,
    [PROGRAM, PARTNER],
  );
  await app.ds.query(
    `INSERT INTO directory_agreement (id, partner_id, node, reference, purposes, fields_by_purpose, valid_from) VALUES ($1, $2, $3, 'MOU test', '{referral}', $4, '2020-01-01')`,
    [randomUUID(), PARTNER, node, JSON.stringify({ referral: ['caseId', 'coveredPersonIds', 'ageBand', 'nationality', 'flags'] })],
  );
}

describe('cross-border referrals (GT → MX, two nodes, MirrorMaker 2)', () => {
  let topology: TwoNodeTopology;
  let gt: ReferralApp;
  let mx: ReferralApp;
  const mxPartner = () => mx.token({ partnerId: PARTNER, node: 'MX', jurisdictions: ['MX'], scopes: ['referrals:read', 'referrals:write'] });

  beforeAll(async () => {
    topology = await startTwoNodeTopology(`spec-${process.env.PUENTE_TEST_RUN ?? 'ci'}-xbref`);
    gt = await startReferralApp('xbrefgt', { PUENTE_NODE: 'GT', KAFKA_BROKERS: topology.gtBrokers });
    mx = await startReferralApp('xbrefmx', { PUENTE_NODE: 'MX', KAFKA_BROKERS: topology.mxBrokers });
    await addMexicanProgram(gt, 'GT');
    await addMexicanProgram(mx, 'MX');
    await topology.startMirror();
  }, 20 * 60_000 + 300_000);

  afterAll(async () => {
    try {
      await gt?.close();
      await mx?.close();
    } finally {
      await topology?.stop();
    }
  }, 120_000);

  const atGt = async (id: string) => (await gt.call('GET', `/v1/referrals/${id}`)).body;

  it('reaches the MX partner like a local referral and brings every change and the outcome back to GT', async () => {
    const { caseId, personIds } = await openCase(gt, { partners: [PARTNER], members: 2 });
    const created = await gt.call('POST', '/v1/referrals', { body: { caseId, programId: PROGRAM, coveredPersonIds: personIds, reason: 'caseworker_referral' } });
    expect(created.status).toBe(201);
    // Custody stays at GT: its referral waits for MX, and GT's own partner views never show it.
    expect(created.body).toMatchObject({ status: 'requested', partnerId: PARTNER, referringNode: 'GT' });
    const id = created.body.id as string;
    expect((await gt.call('GET', `/v1/partner/referrals/${id}`, { token: await gt.token({ partnerId: PARTNER, node: 'MX', jurisdictions: ['MX'], scopes: ['referrals:read'] }) })).status).toBe(404);

    // At MX: the partner pulls it with its REST token, the case minimized at the border.
    const token = await mxPartner();
    const pulled = await eventually(
      'referral pulled at MX',
      async () => {
        const list = await mx.call('GET', '/v1/partner/referrals', { token });
        return list.body.items?.find((r: { id: string }) => r.id === id);
      },
      180_000,
    );
    expect(pulled).toMatchObject({ status: 'sent', referringNode: 'GT', referringPartnerId: 'GT-MRC-01', caseId });
    const mine = await mx.call('GET', `/v1/partner/referrals/${id}`, { token });
    expect(mine.body.case).toEqual({ caseId, coveredPersonIds: personIds, ageBand: '18-59', nationality: 'HN', flags: ['fear_of_return'] });
    await eventually('sent at GT', async () => (await atGt(id)).status === 'sent', 120_000);

    for (const [action, body] of [
      ['receive', { reason: 'acknowledged' }],
      ['accept', { reason: 'meets_criteria' }],
      ['start', { reason: 'procedure_opened', milestone: 'claim_registered' }],
      ['progress', { reason: 'milestone_reached', milestone: 'interview' }],
      ['complete', { reason: 'pathway_decision_issued', milestone: 'decision', outcome: 'status_granted' }],
    ] as const) {
      const res = await mx.call('POST', `/v1/partner/referrals/${id}/${action}`, { body, token });
      expect(res.status).toBe(200);
    }
    const done = await eventually('completed at GT', async () => ((await atGt(id)).status === 'completed' ? atGt(id) : null), 180_000);
    expect(done).toMatchObject({ status: 'completed', outcome: 'status_granted', businessStatus: 'decision', statusReason: 'pathway_decision_issued' });
    expect(done.history.map((h: { action: string; actorPartner: string }) => `${h.action}:${h.actorPartner}`)).toEqual([
      'request:GT-MRC-01',
      'send:MX',
      'receive:' + PARTNER,
      'accept:' + PARTNER,
      'start:' + PARTNER,
      'progress:' + PARTNER,
      'complete:' + PARTNER,
    ]);
    // GT's case events show each change that came back (the case timeline reads them), and the sending.
    const types: { event_type: string }[] = await gt.ds.query(`SELECT event_type FROM outbox_message WHERE message_key = $1 ORDER BY id`, [caseId]);
    expect(types.filter((t) => t.event_type === 'puente.referral.v1.CrossBorderUpdateReceived')).toHaveLength(6);
    expect(types.map((t) => t.event_type)).toContain('puente.referral.v1.CrossBorderReferralSent');
    // The slot was taken where the program runs, never in GT's copy of it.
    expect((await mx.ds.query(`SELECT open_slots FROM directory_program WHERE id = $1`, [PROGRAM]))[0].open_slots).toBe(10);
    expect((await gt.ds.query(`SELECT open_slots FROM directory_program WHERE id = $1`, [PROGRAM]))[0].open_slots).toBe(10);
    // Audited with its purpose on both nodes; each person's delivery to MX is in GT's ledger.
    const gtAudit: { action: string; purpose: string }[] = await gt.ds.query(`SELECT DISTINCT action, purpose FROM audit_record WHERE object_id = $1 ORDER BY action`, [id]);
    expect(gtAudit).toEqual(expect.arrayContaining([
      { action: 'referral.cross-border-send', purpose: 'referral' },
      { action: 'referral.cross-border-update-receive', purpose: 'referral' },
    ]));
    const mxAudit: { action: string; purpose: string }[] = await mx.ds.query(`SELECT DISTINCT action, purpose FROM audit_record WHERE object_id = $1 ORDER BY action`, [id]);
    expect(mxAudit).toEqual(expect.arrayContaining([
      { action: 'referral.cross-border-receive', purpose: 'referral' },
      { action: 'referral.cross-border-update-send', purpose: 'referral' },
    ]));
    const ledger: { person_id: string; receiver: string; channel: string }[] = await gt.ds.query(`SELECT person_id, receiver, channel FROM delivery_ledger WHERE case_id = $1 ORDER BY person_id`, [caseId]);
    expect(ledger).toEqual([...personIds].sort().map((p) => ({ person_id: p, receiver: 'MX', channel: 'referral' })));
    // Every envelope GT sent was answered with an applied receipt.
    await eventually('receipts at GT', async () => (await gt.ds.query(`SELECT 1 FROM federation_sent_envelope WHERE subject = $1 AND receipt_outcome IS DISTINCT FROM 'applied'`, [caseId])).length === 0, 120_000);
  }, 600_000);

  it('a cancellation at GT (consent withdrawn or by the caseworker) reaches MX, whose partner then sees it cancelled', async () => {
    const { caseId, personIds } = await openCase(gt, { partners: [PARTNER] });
    const created = await gt.call('POST', '/v1/referrals', { body: { caseId, programId: PROGRAM, coveredPersonIds: personIds, reason: 'caseworker_referral' } });
    const id = created.body.id as string;
    const token = await mxPartner();
    await eventually('at MX', async () => (await mx.call('GET', `/v1/partner/referrals/${id}`, { token })).status === 200, 180_000);
    await eventually('sent at GT', async () => (await atGt(id)).status === 'sent', 120_000);
    expect((await gt.call('POST', `/v1/referrals/${id}/cancel`, { body: { reason: 'referred_elsewhere' } })).status).toBe(200);
    await eventually('cancelled at MX', async () => (await mx.call('GET', `/v1/partner/referrals/${id}`, { token })).body.status === 'cancelled', 180_000);
  }, 400_000);

  it('a consent withdrawal and an erasure after delivery reach MX: its routing shreds the case it got, stops, tells its partner and answers; GT sees the receipts', async () => {
    const withdrawn = await openCase(gt, { partners: [PARTNER], members: 2 });
    const erased = await openCase(gt, { partners: [PARTNER] });
    const ids: string[] = [];
    for (const { caseId, personIds } of [withdrawn, erased]) {
      const created = await gt.call('POST', '/v1/referrals', { body: { caseId, programId: PROGRAM, coveredPersonIds: personIds, reason: 'caseworker_referral' } });
      expect(created.status).toBe(201);
      ids.push(created.body.id as string);
    }
    const token = await mxPartner();
    for (const id of ids) await eventually('sent at GT', async () => (await atGt(id)).status === 'sent', 180_000);
    expect((await mx.call('GET', `/v1/partner/referrals/${ids[0]}`, { token })).body.case).toMatchObject({ nationality: 'HN', flags: ['fear_of_return'] });

    // GT: the person withdraws the referral consent (case 1) and the other person is erased (case 2).
    await withdrawReferralConsent(gt, withdrawn, PARTNER);
    await consumed(gt, await publishEvent(gt.broker, Topics.intakeCase.name, erased.caseId, PersonErasedSchema, { personId: erased.personIds[0], caseId: erased.caseId, erasedAt: toTimestamp() }));
    const noticesAtGt = async (personId: string) => (await gt.call('GET', `/v1/persons/${personId}/retractions`)).body as { items: { receiverType: string; receiver: string; cause: string; channels: string[]; status: string }[]; missingReceipts: number };
    for (const [personId, cause] of [...withdrawn.personIds.map((p) => [p, 'consent-withdrawn']), [erased.personIds[0], 'person-erased']]) {
      expect((await noticesAtGt(personId)).items).toEqual([expect.objectContaining({ receiverType: 'node', receiver: 'MX', cause, channels: ['referral'] })]);
    }

    // MX: the case as it crossed is shredded to its ids, the referral stops, and MX's own partner is told.
    for (const [i, id] of ids.entries()) {
      const caseId = [withdrawn, erased][i].caseId;
      await eventually('shredded at MX', async () => {
        const [row] = await mx.ds.query(`SELECT case_view FROM cross_border_referral WHERE referral_id = $1`, [id]);
        return JSON.stringify(row.case_view) === JSON.stringify({ caseId });
      }, 240_000);
      const atMx = await mx.call('GET', `/v1/partner/referrals/${id}`, { token });
      expect(atMx.body).toMatchObject({ status: 'cancelled', case: { caseId } });
    }
    const answerer = await mx.token({ partnerId: PARTNER, node: 'MX', jurisdictions: ['MX'], scopes: ['retractions:answer'] });
    const feed = async () => ((await mx.call('GET', '/v1/partner/retraction-notices', { token: answerer })).body.items as { personId: string; channels: string[] }[]).map((n) => `${n.personId}:${n.channels.join(',')}`).sort();
    const expected = [...withdrawn.personIds, erased.personIds[0]].map((p) => `${p}:pull`).sort();
    await eventually('MX partner told of each person', async () => (await feed()).filter((n) => expected.includes(n)).length === expected.length, 240_000);
    expect((await feed()).filter((n) => expected.includes(n))).toEqual(expected);
    expect(await mx.ds.query(`SELECT DISTINCT action, purpose FROM audit_record WHERE object_id = $1 AND action = 'referral.cross-border-retraction-receive'`, [ids[0]])).toEqual([
      { action: 'referral.cross-border-retraction-receive', purpose: 'referral' },
    ]);

    // GT: MX's receipts close every notice; the case events say so.
    for (const personId of [...withdrawn.personIds, erased.personIds[0]]) {
      await eventually('receipted at GT', async () => {
        const n = await noticesAtGt(personId);
        return n.missingReceipts === 0 && n.items.length === 1 && n.items[0].status === 'receipted';
      }, 240_000);
    }
    const types: { event_type: string }[] = await gt.ds.query(`SELECT event_type FROM outbox_message WHERE message_key = $1 AND topic = $2 ORDER BY id`, [withdrawn.caseId, Topics.retraction.name]);
    expect(types.map((t) => t.event_type)).toEqual(['puente.referral.v1.RetractionSent', 'puente.referral.v1.RetractionSent', 'puente.referral.v1.RetractionReceipted', 'puente.referral.v1.RetractionReceipted']);
    // The erasure of a person already retracted owes MX nothing more.
    await consumed(gt, await publishEvent(gt.broker, Topics.intakeCase.name, withdrawn.caseId, PersonErasedSchema, { personId: withdrawn.personIds[0], caseId: withdrawn.caseId, erasedAt: toTimestamp() }));
    expect((await noticesAtGt(withdrawn.personIds[0])).items).toHaveLength(1);
  }, 900_000);

  it('refuses (409) a referral of a Mexican with a fear of return to the Mexican node: the protection block', async () => {
    const { caseId, personIds } = await openCase(gt, { partners: [PARTNER], nationality: 'MX' });
    const refused = await gt.call('POST', '/v1/referrals', { body: { caseId, programId: PROGRAM, coveredPersonIds: personIds, reason: 'caseworker_referral' } });
    expect(expectProblem(refused, 409, 'referral-not-allowed').reason).toBe('cross-border-protection-block');
    expect(await gt.ds.query(`SELECT 1 FROM referral WHERE case_id = $1`, [caseId])).toEqual([]);
    expect(await gt.ds.query(`SELECT 1 FROM outbox_message WHERE message_key = $1 AND topic LIKE 'puente.exchange.%'`, [caseId])).toEqual([]);
  });
});
