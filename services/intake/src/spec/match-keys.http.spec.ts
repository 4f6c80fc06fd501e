// Match keys leave the node only under an identity-matching consent, over real HTTP, PostgreSQL and Kafka.
import { decodeEvent, MatchKeysWithdrawalReason, Topics } from '@puente/contracts';
import { type BrokerClient, readTopic, type RecordedEvent } from '@puente/messaging';
import { expectProblem, type IntakeTestApp, people, problemFields, startIntake, testBroker, uniqueSiteCode } from './testing/harness';

const identityMatching = { purpose: 'identity_matching', method: 'written' };

describe('match keys are published only with an identity-matching consent (HTTP + Kafka)', () => {
  let intake: IntakeTestApp;
  let broker: BrokerClient;
  let site: string;

  beforeAll(async () => {
    intake = await startIntake('matchkeys');
    broker = testBroker();
    site = uniqueSiteCode();
    expect((await intake.call('POST', '/v1/sites', { body: { code: site, name: 'CRM Tecún Umán', kind: 'fixed' } })).status).toBe(201);
  });

  afterAll(async () => {
    await intake?.close();
  });

  const onTopic = (personId: string, until: (mine: RecordedEvent[]) => boolean) =>
    readTopic(broker, Topics.intakeMatchKeys.name, { until: (seen) => until(seen.filter((r) => r.key === personId)) }).then((seen) => seen.filter((r) => r.key === personId));
  const types = (records: RecordedEvent[]) => records.map((r) => r.headers.ce_type.replace('puente.intake.v1.', ''));
  const register = async (body: Record<string, unknown>) => {
    const res = await intake.call('POST', '/v1/persons', { body });
    expect(res.status).toBe(201);
    return res.body as { personId: string; caseId: string; consentIds: string[] };
  };

  let withoutConsent: { personId: string; caseId: string };
  let withConsent: { personId: string; caseId: string; consentIds: string[] };

  it('publishes nothing for a person registered without the consent, and the keys of one registered with it', async () => {
    withoutConsent = await register(people.mariaJose(site, { familyNames: 'Pérez Sin Consentimiento' }));
    withConsent = await register(people.mariaJose(site, { familyNames: 'Pérez Con Consentimiento', consents: [identityMatching, { purpose: 'screening', method: 'written' }] }));
    expect(withConsent.consentIds).toHaveLength(2);
    const published = await onTopic(withConsent.personId, (mine) => mine.length > 0);
    expect(types(published)).toEqual(['MatchKeysPublished']);
    const message = decodeEvent('puente.intake.v1.MatchKeysPublished', published[0].value);
    expect(message).toMatchObject({ personId: withConsent.personId, node: 'GT' });
    expect((message as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    // Both registrations' events are on the topic by now (one relay, in outbox order): none for the first.
    const all = await readTopic(broker, Topics.intakeMatchKeys.name, { until: (seen) => seen.some((r) => r.key === withConsent.personId) });
    expect(all.filter((r) => r.key === withoutConsent.personId)).toEqual([]);
    expect(await intake.ds.query(`SELECT 1 FROM outbox_message WHERE message_key = $1`, [withoutConsent.personId])).toEqual([]);
    // the consents given with the registration are recorded on the case, with their events
    const consents = await intake.call('GET', `/v1/cases/${withConsent.caseId}/consents`);
    expect(consents.body.items.map((k: { purpose: string; state: string }) => `${k.purpose}:${k.state}`).sort()).toEqual(['identity_matching:active', 'screening:active']);
  });

  it('a correction without the consent publishes no keys either', async () => {
    const current = await intake.call('GET', `/v1/persons/${withoutConsent.personId}`, { headers: { 'x-purpose': 'case-management' } });
    const patched = await intake.call('PATCH', `/v1/persons/${withoutConsent.personId}`, {
      body: { familyNames: 'Pérez Corregido' },
      headers: { 'if-match': current.headers.get('etag') as string, 'x-purpose': 'case-management' },
    });
    expect(patched.status).toBe(200);
    expect(await intake.ds.query(`SELECT 1 FROM outbox_message WHERE message_key = $1`, [withoutConsent.personId])).toEqual([]);
  });

  it('publishes the keys when the consent is recorded, and retracts them when it is withdrawn', async () => {
    const recorded = await intake.call('POST', `/v1/cases/${withoutConsent.caseId}/consents`, { body: { personId: withoutConsent.personId, ...identityMatching } });
    expect(recorded.status).toBe(201);
    expect(types(await onTopic(withoutConsent.personId, (mine) => mine.length >= 1))).toEqual(['MatchKeysPublished']);
    const withdrawn = await intake.call('POST', `/v1/consents/${recorded.body.id}/withdraw`);
    expect(withdrawn.status).toBe(200);
    const events = await onTopic(withoutConsent.personId, (mine) => mine.length >= 2);
    expect(types(events)).toEqual(['MatchKeysPublished', 'MatchKeysWithdrawn']);
    expect(decodeEvent('puente.intake.v1.MatchKeysWithdrawn', events[1].value)).toMatchObject({ personId: withoutConsent.personId, reason: MatchKeysWithdrawalReason.CONSENT_WITHDRAWN });
  });

  it('retracts the keys when the person is erased', async () => {
    expect((await intake.call('POST', `/v1/persons/${withConsent.personId}/erase`)).status).toBe(200);
    const events = await onTopic(withConsent.personId, (mine) => mine.length >= 2);
    expect(types(events)).toEqual(['MatchKeysPublished', 'MatchKeysWithdrawn']);
    expect(decodeEvent('puente.intake.v1.MatchKeysWithdrawn', events[1].value)).toMatchObject({ reason: MatchKeysWithdrawalReason.PERSON_ERASED });
  });

  it('refuses an identity-matching consent with an end date or naming a partner, and two consents for one purpose', async () => {
    const res = await intake.call('POST', '/v1/persons', {
      body: people.mariaJose(site, { consents: [{ ...identityMatching, validUntil: '2027-01-01T00:00:00Z', partnerType: 'consulate' }, identityMatching] }),
    });
    expect(expectProblem(res, res.status, 'validation-error').status).toBeLessThan(500);
    expect(problemFields(res).sort()).toEqual(['consents[0].partnerType', 'consents[0].validUntil', 'consents[1].purpose']);
  });
});
