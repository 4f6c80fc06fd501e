// Retraction notices from referral routing to partners, for real: PostgreSQL, Kafka, a real webhook
// receiver (Standard Webhooks signatures checked) and HTTP. Routing's deliveries (webhook, Kafka
// topic, REST pull) are in its delivery ledger; intake's ConsentWithdrawn and PersonErased open a
// notice for each partner that got the person's data and no other consent still covers; the
// partner answers it; the caseworker sees which receipts are missing; the operator lists overdue ones.
import { randomUUID } from 'node:crypto';
import { decodeEvent, PersonErasedSchema, type RetractionSent, Topics, toTimestamp } from '@puente/contracts';
import { readTopic } from '@puente/messaging';
import { eventually, runTs } from '@puente/testing';
import { partnerKafkaTopic } from '../directory/vocabulary';
import { addPartnerWithProgram, newWebhookSecret, openCase, type ReferralApp, startReferralApp, WebhookReceiver, withdrawReferralConsent } from '../referrals/spec/fixtures';
import { consumed, expectProblem, publishEvent } from '../testing/harness';

const suffix = randomUUID().slice(0, 6).toUpperCase();
const HOOK = `MX-HOOK-${suffix}`;
const KAFKA = `MX-KAFKA-${suffix}`;
const PULL = `MX-PULL-${suffix}`;

interface NoticeView {
  noticeId: string;
  receiverType: string;
  receiver: string;
  cause: string;
  purpose: string | null;
  channels: string[];
  status: string;
  receiptedAt: string | null;
}

describe('retraction notices to partners from referral routing (HTTP, webhook, Kafka)', () => {
  let app: ReferralApp;
  let hook: WebhookReceiver;
  const programs = new Map<string, string>();

  beforeAll(async () => {
    app = await startReferralApp('retractions');
    hook = await new WebhookReceiver(newWebhookSecret()).start();
    programs.set(HOOK, (await addPartnerWithProgram(app, { partnerId: HOOK, channels: ['webhook'], webhookUrl: hook.url, secret: hook.secret })).programId);
    programs.set(KAFKA, (await addPartnerWithProgram(app, { partnerId: KAFKA, channels: ['kafka'] })).programId);
    programs.set(PULL, (await addPartnerWithProgram(app, { partnerId: PULL, channels: ['rest_pull'] })).programId);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await hook?.stop();
  });

  const partnerToken = (partnerId: string, scopes = ['retractions:answer']) => app.token({ scopes, clientId: `${partnerId.toLowerCase()}-system`, partnerId, node: 'MX', jurisdictions: ['MX'] });
  const notices = async (personId: string) => {
    const res = await app.call('GET', `/v1/persons/${personId}/retractions`);
    expect(res.status).toBe(200);
    return res.body as { items: NoticeView[]; missingReceipts: number };
  };
  const outboxTypes = async (noticeId: string): Promise<string[]> =>
    (await app.ds.query(`SELECT event_type AS type FROM outbox_message WHERE topic = $1 AND position(convert_to($2, 'UTF8') in payload) > 0 ORDER BY id`, [Topics.retraction.name, noticeId])).map(
      (r: { type: string }) => r.type,
    );

  it('records every delivery to a partner; a withdrawn consent and then an erasure reach each partner that got the data, on its own channel, and its receipt closes the notice', async () => {
    const opened = await openCase(app, { partners: [HOOK, KAFKA, PULL], members: 2 });
    const { caseId, personIds } = opened;
    const referralIds = new Map<string, string>();
    for (const [partnerId, programId] of programs) {
      const res = await app.call('POST', '/v1/referrals', { body: { caseId, programId, coveredPersonIds: personIds, reason: 'caseworker_referral' } });
      expect(res.status).toBe(201);
      referralIds.set(partnerId, res.body.id);
    }
    await eventually('webhook delivered', async () => hook.accepted.some((a) => (a.data.referral as { id: string } | undefined)?.id === referralIds.get(HOOK)), 60_000);

    // The ledger: each covered person, per partner and channel, with the case fields it got (the webhook's once delivered).
    const ledger = await eventually(
      'webhook delivery in the ledger',
      async () => {
        const rows: { receiver: string; channel: string; person_id: string; fields: string[] }[] = await app.ds.query(
          `SELECT receiver, channel, person_id::text, fields FROM delivery_ledger WHERE case_id = $1 ORDER BY receiver, person_id`,
          [caseId],
        );
        return rows.length === 6 ? rows : null;
      },
      30_000,
    );
    const fields = ['ageBand', 'caseId', 'coveredPersonIds', 'flags', 'nationality'];
    const channels: [string, string][] = [
      [HOOK, 'webhook'],
      [KAFKA, 'kafka'],
      [PULL, 'pull'],
    ];
    expect(ledger).toEqual(channels.flatMap(([receiver, channel]) => [...personIds].sort().map((person_id) => ({ receiver, channel, person_id, fields }))));
    expect(await notices(personIds[0])).toEqual({ items: [], missingReceipts: 0 });

    // The webhook partner's consent is withdrawn: its referral is cancelled, and it alone is told, per person.
    await withdrawReferralConsent(app, opened, HOOK);
    for (const personId of personIds) {
      const after = await notices(personId);
      expect(after).toEqual({
        items: [expect.objectContaining({ receiverType: 'partner', receiver: HOOK, cause: 'consent-withdrawn', purpose: 'referral', channels: ['webhook'], status: 'waiting', receiptedAt: null })],
        missingReceipts: 1,
      });
    }
    const { noticeId } = (await notices(personIds[0])).items[0];
    const onHook = await eventually('notice at the webhook', async () => hook.accepted.find((a) => a.type === 'retraction.notice' && a.data.noticeId === noticeId), 60_000);
    expect(onHook.data).toEqual({
      noticeId,
      personId: personIds[0],
      caseId,
      cause: 'consent-withdrawn',
      channels: ['webhook'],
      sentAt: expect.any(String),
      dueAt: expect.any(String),
      receiptPath: `/v1/partner/retraction-notices/${noticeId}/receipt`,
    });
    expect(hook.invalidSignatures).toBe(0);
    expect(await outboxTypes(noticeId)).toEqual(['puente.referral.v1.RetractionSent']);

    // Only the addressee answers (404 for another partner, 403 without the scope); a second answer is the first.
    expectProblem(await app.call('POST', onHook.data.receiptPath as string, { token: await partnerToken(KAFKA) }), 404, 'not-found');
    expect((await app.call('POST', onHook.data.receiptPath as string, { token: await partnerToken(HOOK, ['referrals:read']) })).status).toBe(403);
    const answered = await app.call('POST', onHook.data.receiptPath as string, { token: await partnerToken(HOOK) });
    expect(answered.status).toBe(200);
    expect((await app.call('POST', onHook.data.receiptPath as string, { token: await partnerToken(HOOK) })).body).toEqual(answered.body);
    expect(await notices(personIds[0])).toEqual({ items: [expect.objectContaining({ noticeId, status: 'receipted', receiptedAt: answered.body.receiptedAt })], missingReceipts: 0 });
    expect(await outboxTypes(noticeId)).toEqual(['puente.referral.v1.RetractionSent', 'puente.referral.v1.RetractionReceipted']);

    // The first person is erased: the Kafka and REST-pull partners are owed notices now, the webhook partner nothing more.
    await consumed(app, await publishEvent(app.broker, Topics.intakeCase.name, caseId, PersonErasedSchema, { personId: personIds[0], caseId, erasedAt: toTimestamp() }));
    const erased = await notices(personIds[0]);
    expect(erased.items.map((n) => `${n.receiver}:${n.cause}:${n.channels.join(',')}:${n.status}`).sort()).toEqual(
      [`${HOOK}:consent-withdrawn:webhook:receipted`, `${KAFKA}:person-erased:kafka:waiting`, `${PULL}:person-erased:pull:waiting`].sort(),
    );
    expect(erased.missingReceipts).toBe(2);

    // The Kafka partner reads it on its own topic (keyed by its referral), the REST-pull partner on its feed.
    const kafkaNotice = erased.items.find((n) => n.receiver === KAFKA) as NoticeView;
    const topic = partnerKafkaTopic(KAFKA);
    const records = await readTopic(app.broker, topic, { until: (all) => all.some((e) => e.headers.ce_type === 'puente.partner.v1.retraction.notice'), timeoutMs: 60_000 });
    const onTopic = records.find((e) => e.headers.ce_type === 'puente.partner.v1.retraction.notice');
    expect(onTopic?.key).toBe(referralIds.get(KAFKA));
    expect(JSON.parse(Buffer.from(onTopic?.value as Uint8Array).toString('utf8'))).toMatchObject({ type: 'retraction.notice', data: { noticeId: kafkaNotice.noticeId, personId: personIds[0], cause: 'person-erased' } });
    const feed = await app.call('GET', '/v1/partner/retraction-notices', { token: await partnerToken(PULL) });
    expect(feed.status).toBe(200);
    expect(feed.body.items).toEqual([expect.objectContaining({ receiver: PULL, personId: personIds[0], caseId, cause: 'person-erased', channels: ['pull'], status: 'waiting' })]);
    expect((await app.call('POST', feed.body.items[0].receiptPath, { token: await partnerToken(PULL) })).status).toBe(200);
    expect((await app.call('GET', '/v1/partner/retraction-notices', { token: await partnerToken(PULL) })).body.items).toEqual([]);

    // The RetractionSent events are keyed by the case (its timeline shows them) and name receiver and cause only.
    const sent = await readTopic(app.broker, Topics.retraction.name, { until: (all) => all.filter((e) => e.key === caseId && e.headers.ce_type === 'puente.referral.v1.RetractionSent').length >= 4, timeoutMs: 60_000 });
    const said = sent.filter((e) => e.key === caseId && e.headers.ce_type === 'puente.referral.v1.RetractionSent').map((e) => decodeEvent('puente.referral.v1.RetractionSent', e.value) as RetractionSent);
    expect(new Set(said.map((s) => s.receiver))).toEqual(new Set([HOOK, KAFKA, PULL]));

    // The Kafka partner never answers: once past due, the operator command lists it (exit 1).
    await app.ds.query(`UPDATE retraction_notice SET due_at = now() - interval '1 hour' WHERE notice_id = $1`, [kafkaNotice.noticeId]);
    const listed = await runTs('tools/federation.ts', ['retractions', '--service', 'referral-routing'], { REFERRAL_ROUTING_DATABASE_URL: (app.ds.options as { url: string }).url });
    expect(listed.code).toBe(1);
    expect(listed.stdout).toContain(`${kafkaNotice.noticeId}  partner ${KAFKA} (kafka), person-erased, person ${personIds[0]} case ${caseId}`);
  }, 300_000);

  it('bad ids are 400 with the field; another jurisdiction sees no person (404); a partner reads only its own feed', async () => {
    const res = await app.call('GET', '/v1/persons/not-a-uuid/retractions');
    expect(expectProblem(res, 400, 'validation-error').errors).toEqual([expect.objectContaining({ field: 'id' })]);
    expectProblem(await app.call('POST', '/v1/partner/retraction-notices/x/receipt', { token: await partnerToken(HOOK) }), 400, 'validation-error');
    const { personIds } = await openCase(app, { partners: [] });
    expect((await app.call('GET', `/v1/persons/${personIds[0]}/retractions`)).status).toBe(200);
    expectProblem(await app.call('GET', `/v1/persons/${personIds[0]}/retractions`, { token: await app.token({ jurisdictions: ['CR'] }) }), 404, 'not-found');
    expectProblem(await app.call('GET', `/v1/persons/${randomUUID()}/retractions`), 404, 'not-found');
    const other = await app.call('GET', '/v1/partner/retraction-notices', { token: await partnerToken(`MX-NONE-${suffix}`) });
    expect(other.body).toEqual({ items: [] });
  }, 120_000);
});
