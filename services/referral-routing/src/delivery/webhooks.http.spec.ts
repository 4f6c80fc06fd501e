import { decodeEvent, DeliveryFailureKind, type ReferralDeliveryFailed, Topics } from '@puente/contracts';
import { eventually } from '@puente/testing';
import { addPartnerWithProgram, eventsOf, openCase, type OpenedCase, newWebhookSecret, type ReferralApp, startReferralApp, WebhookReceiver } from '../referrals/spec/fixtures';
import { WebhookDispatcher } from './webhook-dispatcher';

/** Deadline of one attempt in this suite: long enough to see who waits for a hanging partner. */
const HANG_TIMEOUT_MS = 8_000;

async function refer(app: ReferralApp, programId: string, partnerId: string, opened?: OpenedCase): Promise<{ id: string; caseId: string }> {
  const { caseId, personIds } = opened ?? (await openCase(app, { partners: [partnerId] }));
  const res = await app.call('POST', '/v1/referrals', { body: { caseId, programId, coveredPersonIds: personIds, reason: 'caseworker_referral' } });
  if (res.status !== 201) throw new Error(`${res.status} ${res.text}`);
  return { id: res.body.id, caseId };
}

async function statusOf(app: ReferralApp, ids: string[]): Promise<Record<string, number>> {
  const rows = (await app.ds.query(`SELECT status, count(*)::int AS n FROM referral WHERE id = ANY($1) GROUP BY status`, [ids])) as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

describe('webhook delivery to partner systems (real receivers, PostgreSQL and Kafka)', () => {
  let app: ReferralApp;
  const receivers: WebhookReceiver[] = [];

  async function receiver(decide?: ConstructorParameters<typeof WebhookReceiver>[1]): Promise<WebhookReceiver> {
    const r = await new WebhookReceiver(newWebhookSecret(), decide).start();
    receivers.push(r);
    return r;
  }

  beforeAll(async () => {
    app = await startReferralApp('webhooks', { WEBHOOK_TIMEOUT_MS: String(HANG_TIMEOUT_MS) });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all(receivers.map((r) => r.stop()));
  });

  it('delivers 50 referrals to a failing receiver once it recovers, each exactly once, signed (Standard Webhooks)', async () => {
    // The receiver answers 500 until it has seen every one of the 50 deliveries fail at least once.
    const failedOnce = new Set<string>();
    const hook = await receiver((id, r) => {
      if (r.mode === 'ok') return 'ok';
      failedOnce.add(id);
      if (failedOnce.size >= 50) r.mode = 'ok';
      return 'fail';
    });
    hook.mode = 'fail';
    const { programId } = await addPartnerWithProgram(app, { partnerId: 'MX-HOOK-50', channels: ['webhook'], webhookUrl: hook.url, secret: hook.secret });
    const referrals = await Promise.all(Array.from({ length: 50 }, () => refer(app, programId, 'MX-HOOK-50')));
    const ids = referrals.map((r) => r.id);
    // Webhook-only: a referral stays requested until its delivery succeeds.
    expect((await statusOf(app, ids)).sent ?? 0).toBeLessThan(50);
    await eventually('all 50 accepted by the receiver', async () => {
      expect(hook.accepted).toHaveLength(50);
      return true;
    }, 30_000);
    await eventually('all 50 referrals sent', async () => {
      expect(await statusOf(app, ids)).toEqual({ sent: 50 });
      return true;
    }, 10_000);
    expect(new Set(hook.acceptedIds()).size).toBe(50);
    expect(hook.invalidSignatures).toBe(0);
    expect(hook.accepted.every((a) => a.type === 'referral.requested')).toBe(true);
    expect(new Set(hook.accepted.map((a) => (a.data.referral as { id: string }).id))).toEqual(new Set(ids));
    // Retried with backoff, then delivered: no delivery is pending or failed, each has a failure behind it.
    const rows = (await app.ds.query(`SELECT status, attempts FROM referral_delivery WHERE partner_id = 'MX-HOOK-50'`)) as { status: string; attempts: number }[];
    expect(rows.every((r) => r.status === 'delivered' && r.attempts >= 2)).toBe(true);
    // Nothing more arrives later: no delivery is sent twice.
    await app.app.get(WebhookDispatcher).tick();
    await app.app.get(WebhookDispatcher).settled();
    expect(hook.accepted).toHaveLength(50);
    // The first failure of each was announced to the referring site (ids and codes only).
    const events = await eventsOf(app, Topics.referral.name, referrals[0].caseId, 3);
    expect(events.map((e) => e.type.replace('puente.referral.v1.', ''))).toEqual(['ReferralRequested', 'ReferralDeliveryFailed', 'ReferralSent']);
    const event = decodeEvent(events[1].type, events[1].value) as unknown as ReferralDeliveryFailed;
    expect(event).toMatchObject({ partnerId: 'MX-HOOK-50', kind: DeliveryFailureKind.HTTP_STATUS, httpStatus: 500, attempts: 1, final: false });
  }, 90_000);

  it('a hanging partner does not delay another partner’s deliveries', async () => {
    const hanging = await receiver();
    hanging.mode = 'hang';
    const healthy = await receiver();
    const { programId: slow } = await addPartnerWithProgram(app, { partnerId: 'MX-HANG-1', channels: ['webhook'], webhookUrl: hanging.url, secret: hanging.secret });
    const { programId: fast } = await addPartnerWithProgram(app, { partnerId: 'MX-FAST-1', channels: ['webhook'], webhookUrl: healthy.url, secret: healthy.secret });
    await Promise.all(Array.from({ length: 10 }, () => refer(app, slow, 'MX-HANG-1')));
    await eventually('the hanging partner holding calls', async () => {
      expect(hanging.calls).toBeGreaterThanOrEqual(4);
      return true;
    }, 10_000);
    const cases = await Promise.all(Array.from({ length: 10 }, () => openCase(app, { partners: ['MX-FAST-1'] })));
    const started = Date.now();
    await Promise.all(cases.map((c) => refer(app, fast, 'MX-FAST-1', c)));
    const created = Date.now();
    await eventually('the healthy partner receiving all ten', async () => {
      expect(healthy.accepted).toHaveLength(10);
      return true;
    }, 10_000, 10);
    const elapsed = Date.now() - started;
    // All ten arrived while the hanging partner's first calls were still waiting for their deadline.
    expect(elapsed).toBeLessThan(HANG_TIMEOUT_MS);
    expect(hanging.accepted).toHaveLength(0);
    const [{ first }] = (await app.ds.query(`SELECT count(*)::int AS first FROM referral_delivery WHERE partner_id = 'MX-HANG-1' AND attempts = 1 AND locked_until > now()`)) as { first: number }[];
    expect(first).toBe(4);
    // The hanging partner's deliveries are retried after their deadline, never more than 4 at a time.
    const [{ inflight }] = (await app.ds.query(`SELECT count(*)::int AS inflight FROM referral_delivery WHERE partner_id = 'MX-HANG-1' AND locked_until > now()`)) as { inflight: number }[];
    expect(inflight).toBeLessThanOrEqual(4);
    process.stdout.write(`hanging partner: 10 referrals to the healthy partner created and delivered in ${elapsed} ms (${Date.now() - created} ms after the last was created)\n`);
  }, 60_000);

  it('gives up after the bounded attempts: delivery failed, alert event, referral failed', async () => {
    const broken = await receiver();
    broken.mode = 'fail';
    const { programId } = await addPartnerWithProgram(app, { partnerId: 'MX-BROKEN-1', channels: ['webhook'], webhookUrl: broken.url, secret: broken.secret });
    const { id, caseId } = await refer(app, programId, 'MX-BROKEN-1');
    await eventually('the referral failed', async () => {
      expect((await app.call('GET', `/v1/referrals/${id}`)).body).toMatchObject({ status: 'failed', statusReason: 'delivery_attempts_exhausted' });
      return true;
    }, 20_000);
    expect(broken.calls).toBe(8);
    const events = await eventsOf(app, Topics.referral.name, caseId, 4);
    expect(events.map((e) => e.type.replace('puente.referral.v1.', ''))).toEqual(['ReferralRequested', 'ReferralDeliveryFailed', 'ReferralDeliveryFailed', 'ReferralFailed']);
    const final = decodeEvent(events[2].type, events[2].value) as unknown as ReferralDeliveryFailed;
    expect(final).toMatchObject({ final: true, attempts: 8, httpStatus: 500 });
    // Operators see it on /metrics.
    const metrics = (await app.call('GET', '/metrics', { token: null })).text;
    const value = (name: string, label = '') => Number(metrics.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label))?.split(' ').pop());
    expect(value('puente_webhook_deliveries', 'status="failed"')).toBeGreaterThanOrEqual(1);
    expect(value('puente_webhook_attempts_total', 'outcome="failed"')).toBeGreaterThanOrEqual(1);
    expect(value('puente_webhook_attempts_total', 'outcome="retry"')).toBeGreaterThanOrEqual(7);
    expect(value('puente_webhook_oldest_pending_seconds')).toBeGreaterThanOrEqual(0);
  }, 60_000);
});

describe('webhook delivery from two replicas of the service', () => {
  let first: ReferralApp;
  let second: ReferralApp;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    // Same suite, same database: two instances of the service share one delivery outbox.
    first = await startReferralApp('webhooks_replicas');
    second = await startReferralApp('webhooks_replicas');
    hook = await new WebhookReceiver(newWebhookSecret()).start();
  }, 120_000);

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await hook?.stop();
  });

  it('sends each delivery once even with two dispatchers claiming side by side', async () => {
    const { programId } = await addPartnerWithProgram(first, { partnerId: 'MX-TWICE-1', channels: ['webhook'], webhookUrl: hook.url, secret: hook.secret });
    const made = await Promise.all(Array.from({ length: 30 }, (_, i) => refer(i % 2 ? first : second, programId, 'MX-TWICE-1')));
    await eventually('all 30 delivered', async () => {
      expect(hook.accepted).toHaveLength(30);
      return true;
    }, 20_000);
    await Promise.all([first, second].map(async (a) => {
      await a.app.get(WebhookDispatcher).tick();
      await a.app.get(WebhookDispatcher).settled();
    }));
    expect(hook.calls).toBe(30);
    expect(new Set(hook.acceptedIds()).size).toBe(30);
    expect(await statusOf(first, made.map((m) => m.id))).toEqual({ sent: 30 });
  }, 60_000);
});

describe('webhook URLs on internal addresses (SSRF)', () => {
  let app: ReferralApp;
  let hook: WebhookReceiver;

  beforeAll(async () => {
    app = await startReferralApp('webhooks_ssrf', { WEBHOOK_ALLOW_INTERNAL_ADDRESSES: 'false' });
    hook = await new WebhookReceiver(newWebhookSecret()).start();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await hook?.stop();
  });

  it('never calls a partner webhook on a loopback address: the delivery fails at once, with an alert', async () => {
    const { programId } = await addPartnerWithProgram(app, { partnerId: 'MX-SSRF-1', channels: ['webhook'], webhookUrl: hook.url, secret: hook.secret });
    const { id, caseId } = await refer(app, programId, 'MX-SSRF-1');
    await eventually('the referral failed', async () => {
      expect((await app.call('GET', `/v1/referrals/${id}`)).body).toMatchObject({ status: 'failed', statusReason: 'endpoint_refused' });
      return true;
    }, 20_000);
    expect(hook.calls).toBe(0);
    const [delivery] = (await app.ds.query(`SELECT status, attempts, last_failure FROM referral_delivery WHERE referral_id = $1`, [id])) as object[];
    expect(delivery).toEqual({ status: 'failed', attempts: 1, last_failure: 'address_refused' });
    const events = await eventsOf(app, Topics.referral.name, caseId, 3);
    const alert = decodeEvent(events[1].type, events[1].value) as unknown as ReferralDeliveryFailed;
    expect(alert).toMatchObject({ kind: DeliveryFailureKind.ADDRESS_REFUSED, final: true });
  }, 60_000);
});
