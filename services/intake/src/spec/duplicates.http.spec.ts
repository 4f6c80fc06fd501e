// Duplicate detection over real HTTP and Kafka: local matches, and match keys published by a partner node.
import { randomBytes, randomUUID } from 'node:crypto';
import { encodeEvent, MatchKeysPublishedSchema, MatchKeysWithdrawnSchema, toTimestamp, Topics } from '@puente/contracts';
import { type BrokerClient, readTopic, sendRaw, toHeaders } from '@puente/messaging';
import { computeMatchKeys } from '@puente/privacy';
import { eventually } from '@puente/testing';
import { developmentAgreementKey } from '../common/privacy.providers';
import { expectProblem, type IntakeTestApp, people, startIntake, testBroker, uniqueSiteCode } from './testing/harness';

const surname = () => `Xio${[...randomBytes(5)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;

function partnerEvent(type: string, key: string, payload: Uint8Array) {
  return {
    key,
    value: Buffer.from(payload),
    headers: toHeaders({ id: randomUUID(), type, source: '/puente/mx/intake', time: new Date().toISOString(), subject: key }),
  };
}

describe('duplicate detection (HTTP + Kafka)', () => {
  let intake: IntakeTestApp;
  let broker: BrokerClient;
  let site: string;
  const family = `Pérez Gómez ${surname()}`;
  const mxReference = `mx-inm-${randomUUID()}`;

  beforeAll(async () => {
    intake = await startIntake('duplicates');
    broker = testBroker();
    site = uniqueSiteCode();
    expect((await intake.call('POST', '/v1/sites', { body: { code: site, name: 'CRM Tecún Umán', kind: 'fixed' } })).status).toBe(201);
  });

  afterAll(async () => {
    await intake?.close();
  });

  let first: { personId: string; caseId: string };

  it('finds a local duplicate at registration: same person, names re-ordered and without accents', async () => {
    const a = await intake.call('POST', '/v1/persons', { body: people.mariaJose(site, { familyNames: family }) });
    expect(a.status).toBe(201);
    expect(a.body.possibleDuplicates).toEqual([]);
    first = a.body;
    const b = await intake.call('POST', '/v1/persons', {
      body: people.mariaJose(site, { givenNames: 'MARIA JOSE', familyNames: family.normalize('NFD').replace(/\p{Mn}/gu, '').split(' ').reverse().join(' ') }),
    });
    expect(b.status).toBe(201);
    expect(b.body.possibleDuplicates).toEqual([
      { id: expect.any(String), otherNode: 'GT', otherReference: first.personId, score: expect.any(Number), rules: expect.arrayContaining(['FULLNAME_DOB', 'FULLNAME_BIRTHYEAR_NATIONALITY']) },
    ]);
    expect(b.body.possibleDuplicates[0].score).toBeGreaterThanOrEqual(0.9);
    const found = await intake.ds.query(`SELECT event_type FROM outbox_message WHERE message_key = $1 AND event_type = 'puente.intake.v1.PossibleDuplicateFound'`, [b.body.caseId]);
    expect(found).toHaveLength(1);
    // a different person (another birth date and given name) is not reported
    const c = await intake.call('POST', '/v1/persons', { body: people.mariaJose(site, { givenNames: 'Ana Lucía', familyNames: family, birthDate: '1990-01-02' }) });
    expect(c.body.possibleDuplicates).toEqual([]);
  });

  it('reports a person registered at another node (MX) from its match keys, with accents and token order changed', async () => {
    const mxKeys = computeMatchKeys(
      { givenName: 'JOSE MARIA', familyName: family.toUpperCase().normalize('NFD').replace(/\p{Mn}/gu, '').split(' ').reverse().join(' '), birthDate: '1994-08-21', nationality: 'HN' },
      developmentAgreementKey(),
    );
    await sendRaw(broker, Topics.intakeMatchKeys.name, [
      partnerEvent(
        'puente.intake.v1.MatchKeysPublished',
        mxReference,
        encodeEvent(MatchKeysPublishedSchema, { personId: mxReference, node: 'MX', keys: mxKeys, publishedAt: toTimestamp() }),
      ),
    ]);
    const page = await eventually(
      'the MX record to be reported against the first registration',
      async () => {
        const res = await intake.call('GET', `/v1/duplicates?personId=${first.personId}&limit=50`);
        return res.body.items.find((d: { otherNode: string }) => d.otherNode === 'MX') ? res : undefined;
      },
      30_000,
      250,
    );
    const mx = page.body.items.find((d: { otherNode: string }) => d.otherNode === 'MX');
    expect(mx).toMatchObject({ personId: first.personId, caseId: first.caseId, otherReference: mxReference, status: 'open' });
    expect(mx.rules).toEqual(expect.arrayContaining(['FULLNAME_DOB', 'SURNAME_DOB_NATIONALITY']));
    expect(mx.score).toBeGreaterThanOrEqual(0.9);
    // only ids, rules and a score: nothing of the other record
    expect(Object.keys(mx).sort()).toEqual(['caseId', 'foundAt', 'id', 'otherNode', 'otherReference', 'personId', 'resolvedAt', 'rules', 'score', 'status', 'version']);
    const events = await intake.ds.query(
      `SELECT count(*)::int AS n FROM outbox_message WHERE message_key = $1 AND event_type = 'puente.intake.v1.PossibleDuplicateFound'`,
      [first.caseId],
    );
    expect(events[0].n).toBe(1);
    expect(await intake.ds.query(`SELECT count(*)::int AS n FROM partner_match_key WHERE node = 'GT'`)).toEqual([{ n: 0 }]);

    // a new registration of the same person is matched against the partner keys at once
    const again = await intake.call('POST', '/v1/persons', { body: people.mariaJose(site, { familyNames: family }) });
    expect(again.body.possibleDuplicates.map((d: { otherNode: string; otherReference: string }) => `${d.otherNode}:${d.otherReference}`)).toEqual(
      expect.arrayContaining([`MX:${mxReference}`, `GT:${first.personId}`]),
    );
  });

  it('lets a caseworker link or dismiss, once, with PossibleDuplicateResolved', async () => {
    const list = await intake.call('GET', `/v1/duplicates?personId=${first.personId}&status=open`);
    const mx = list.body.items.find((d: { otherNode: string }) => d.otherNode === 'MX');
    const local = list.body.items.find((d: { otherNode: string }) => d.otherNode === 'GT');
    const linked = await intake.call('POST', `/v1/duplicates/${mx.id}/link`);
    expect(linked.body).toMatchObject({ status: 'linked', resolvedAt: expect.any(String) });
    expectProblem(await intake.call('POST', `/v1/duplicates/${mx.id}/dismiss`), 409, 'illegal-transition');
    expect((await intake.call('POST', `/v1/duplicates/${local.id}/dismiss`)).body.status).toBe('dismissed');
    const resolved = await intake.ds.query(`SELECT count(*)::int AS n FROM outbox_message WHERE event_type = 'puente.intake.v1.PossibleDuplicateResolved'`);
    expect(resolved[0].n).toBe(2);
    const mxToken = await intake.token({ partnerId: 'MX-INM', node: 'MX', jurisdictions: ['MX'], scopes: ['cases:read', 'cases:write'] });
    expect((await intake.call('GET', `/v1/duplicates?personId=${first.personId}`, { token: mxToken })).body.items).toEqual([]);
    expectProblem(await intake.call('GET', `/v1/duplicates/${mx.id}`, { token: mxToken }), 404);
  });

  it('forgets a partner record when its node withdraws the keys, and dead-letters a malformed match-key event', async () => {
    await sendRaw(broker, Topics.intakeMatchKeys.name, [
      partnerEvent('puente.intake.v1.MatchKeysWithdrawn', mxReference, encodeEvent(MatchKeysWithdrawnSchema, { personId: mxReference, node: 'MX', withdrawnAt: toTimestamp() })),
    ]);
    await eventually('the MX keys to be deleted', async () => (await intake.ds.query('SELECT count(*)::int AS n FROM partner_match_key WHERE reference = $1', [mxReference]))[0].n === 0);

    const poison = partnerEvent('puente.intake.v1.MatchKeysPublished', 'mx-poison', Buffer.from([0x0a, 0xff, 0xff]));
    await sendRaw(broker, Topics.intakeMatchKeys.name, [poison]);
    // Every intake app on the broker (other suites too) dead-letters it under its own group: find ours.
    const ours = (r: { headers: Record<string, string> }) => r.headers.ce_id === poison.headers.ce_id && r.headers.dlq_consumer_group === 'puente.intake.spec.duplicates';
    const dead = await readTopic(broker, `${Topics.intakeMatchKeys.name}.dlq`, { timeoutMs: 30_000, until: (seen) => seen.some(ours) });
    const record = dead.find(ours)!;
    expect(record.headers).toMatchObject({ dlq_consumer_group: 'puente.intake.spec.duplicates', dlq_error_type: 'NonRetryableError', dlq_original_topic: Topics.intakeMatchKeys.name });
  });
});
