// Kafka down: writes still succeed (they wait in the outbox) and the events flow when it returns.
import { Topics } from '@puente/contracts';
import { readTopic } from '@puente/messaging';
import { eventually } from '@puente/testing';
import { type IntakeTestApp, people, startIntake, testBroker, uniqueSiteCode } from './testing/harness';

describe('writes while Kafka is down (HTTP + outbox)', () => {
  let offline: IntakeTestApp | undefined;
  let online: IntakeTestApp | undefined;

  afterAll(async () => {
    await offline?.close();
    await online?.close();
  });

  it('accepts registrations with no broker, keeps their events in the outbox, and publishes them once a broker is back', async () => {
    offline = await startIntake('offline', { env: { KAFKA_BROKERS: '127.0.0.1:1' } });
    const site = uniqueSiteCode();
    expect((await offline.call('POST', '/v1/sites', { body: { code: site, name: 'CRM Tecún Umán', kind: 'fixed' } })).status).toBe(201);
    const registered = await offline.call('POST', '/v1/persons', { body: people.kiche(site) });
    expect(registered.status).toBe(201);
    const consent = await offline.call('POST', `/v1/cases/${registered.body.caseId}/consents`, { body: { personId: registered.body.personId, purpose: 'screening', method: 'guardian', guardianReference: 'PGN-GT-2026-0042' } });
    expect(consent.status).toBe(201);

    const ready = await offline.call('GET', '/health/ready', { token: null });
    expect(ready.status).toBe(503);
    expect(JSON.stringify(ready.body)).toMatch(/kafka/);
    // ...while a load balancer probing /health/serving keeps this instance in rotation.
    expect((await offline.call('GET', '/health/serving', { token: null })).status).toBe(200);
    // Barrier: the outbox relay holds its lead (a session advisory lock in this database), so it
    // is trying to publish, and still nothing leaves the outbox while the broker is unreachable.
    await eventually('the outbox relay to lead', async () => (await offline!.ds.query("SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()"))[0].n > 0);
    const pending: { id: string; topic: string }[] = await offline.ds.query('SELECT event_id::text AS id, topic FROM outbox_message WHERE published_at IS NULL ORDER BY id');
    expect(pending.length).toBe(3); // CaseOpened, PersonRegistered, ConsentRecorded (no identity-matching consent: no match keys)
    await offline.close();
    offline = undefined;

    // the same database, now with the broker reachable: the relay publishes what waited
    online = await startIntake('offline');
    const db = online.ds;
    await eventually('the outbox to be published', async () => (await db.query('SELECT count(*)::int AS n FROM outbox_message WHERE published_at IS NULL'))[0].n === 0, 30_000);
    const broker = testBroker();
    const wanted = new Set(pending.filter((p) => p.topic === Topics.intakeCase.name).map((p) => p.id));
    const seen = await readTopic(broker, Topics.intakeCase.name, {
      timeoutMs: 60_000,
      until: (records) => {
        wanted.delete(records[records.length - 1].headers.ce_id);
        return wanted.size === 0;
      },
    });
    const ours = seen.filter((r) => r.key === registered.body.caseId).map((r) => r.headers.ce_type);
    expect(ours).toEqual(['puente.intake.v1.CaseOpened', 'puente.intake.v1.PersonRegistered', 'puente.intake.v1.ConsentRecorded']);
  }, 180_000);
});
