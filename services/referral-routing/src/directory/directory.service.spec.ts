import { randomUUID } from 'node:crypto';
import { startReferralRouting, type ReferralRoutingTestApp } from '../testing/harness';
import { DirectoryService } from './directory.service';
import { WebhookSecrets } from './webhook-secrets';

describe('directory read API (real PostgreSQL)', () => {
  let t: ReferralRoutingTestApp;
  let directory: DirectoryService;
  const partnerId = `MX-TEST-${randomUUID().slice(0, 8)}`;
  const programId = randomUUID();

  beforeAll(async () => {
    t = await startReferralRouting('dirsvc');
    directory = t.app.get(DirectoryService);
    const sealed = t.app.get(WebhookSecrets).seal('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    await t.ds.query(
      `INSERT INTO directory_partner (id, name, kind, partner_type, country, node, delivery_channels, webhook_url,
         webhook_secret_id, webhook_secret_kek_id, webhook_secret_wrapped_key, webhook_secret_ciphertext)
       VALUES ($1, 'Comisión de prueba', 'government_agency', 'government_asylum_agency', 'MX', 'MX', '{rest_pull,webhook,kafka}',
         'https://partner.example.org/hooks/puente', $2, $3, $4, $5)`,
      [partnerId, sealed.secretId, sealed.kekId, sealed.wrappedKey, sealed.ciphertext],
    );
    await t.ds.query(
      `INSERT INTO directory_program (id, partner_id, name, description, pathway, node, total_slots, open_slots, waitlist,
         sla_acknowledge_hours, sla_decide_hours, eligibility_rule)
       VALUES ($1, $2, 'Asylum procedure', 'Refugee status determination', 'asylum', 'MX', 10, 1, 3, 24, 720, $3)`,
      [programId, partnerId, JSON.stringify({ flag: 'fear_of_return' })],
    );
    await t.ds.query(
      `INSERT INTO directory_agreement (id, partner_id, node, reference, purposes, fields_by_purpose, valid_from, valid_until)
       VALUES ($1, $2, 'GT', 'MOU old', '{referral}', '{"referral": ["ageBand"]}', '2020-01-01', '2024-12-31'),
              ($3, $2, 'GT', 'MOU 2025', '{referral,cross_border_transfer}', '{"referral": ["ageBand", "sex", "flags"]}', '2025-01-01', NULL),
              ($4, $2, 'HN', 'MOU HN', '{data_sharing}', '{}', '2025-01-01', NULL)`,
      [randomUUID(), partnerId, randomUUID(), randomUUID()],
    );
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('finds a program with its partner, capacity, SLA, eligibility and hosting node', async () => {
    const program = await directory.findProgram(programId);
    expect(program).toMatchObject({
      id: programId,
      pathway: 'asylum',
      node: 'MX',
      hostedHere: false,
      capacity: { totalSlots: 10, openSlots: 1, waitlist: 3 },
      sla: { acknowledgeHours: 24, decideHours: 720 },
      eligibilityRule: { flag: 'fear_of_return' },
      partner: { id: partnerId, kind: 'government_agency', partnerType: 'government_asylum_agency', node: 'MX' },
    });
    expect(await directory.findProgram(randomUUID())).toBeUndefined();
    expect(await directory.findProgram('not-a-uuid')).toBeUndefined();
  });

  it('finds a partner with its delivery endpoints, and opens the sealed webhook secret only on request', async () => {
    const partner = await directory.findPartner(partnerId);
    expect(partner?.delivery).toEqual({
      channels: ['rest_pull', 'webhook', 'kafka'],
      restPull: true,
      webhookUrl: 'https://partner.example.org/hooks/puente',
      kafkaTopic: `puente.partner.${partnerId.toLowerCase()}.v1`,
      kafka: true,
    });
    expect(JSON.stringify(partner)).not.toContain('whsec_');
    expect(await directory.webhookSecretOf(partnerId)).toBe('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const [stored] = await t.ds.query(`SELECT webhook_secret_ciphertext FROM directory_partner WHERE id = $1`, [partnerId]);
    expect(stored.webhook_secret_ciphertext).not.toContain('MfKQ9r8');
  });

  it('gives the agreement in force between this node and the partner for a purpose, on a given day', async () => {
    expect(await directory.agreementInForce(partnerId, 'referral', new Date('2026-03-01T12:00:00Z'))).toMatchObject({
      reference: 'MOU 2025',
      fields: ['ageBand', 'sex', 'flags'],
      validUntil: null,
    });
    expect((await directory.agreementInForce(partnerId, 'referral', new Date('2023-06-01T00:00:00Z')))?.reference).toBe('MOU old');
    expect(await directory.agreementInForce(partnerId, 'referral', new Date('2019-06-01T00:00:00Z'))).toBeUndefined();
    // The HN agreement is another node's: not in force here.
    expect(await directory.agreementInForce(partnerId, 'data_sharing')).toBeUndefined();
  });

  it('never lets open slots go below zero: the last slot is reserved once', async () => {
    const reserve = () => t.ds.query(`UPDATE directory_program SET open_slots = open_slots - 1 WHERE id = $1 AND open_slots > 0 RETURNING open_slots`, [programId]);
    const results = await Promise.all(Array.from({ length: 5 }, reserve));
    expect(results.map((r) => (r[0] as unknown[]).length).reduce((a, b) => a + b, 0)).toBe(1);
    await expect(t.ds.query(`UPDATE directory_program SET open_slots = -1 WHERE id = $1`, [programId])).rejects.toThrow();
  });
});
