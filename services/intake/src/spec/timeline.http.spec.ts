// The case timeline: a projection of every context's events about a case, from Kafka, over real HTTP.
import { randomUUID } from 'node:crypto';
import { type BrokerClient, sendRaw, toHeaders } from '@puente/messaging';
import { eventually, spawnTs } from '@puente/testing';
import { type IntakeTestApp, people, startIntake, testBroker, uniqueSiteCode } from './testing/harness';

// Two contexts intake has no code for (not even in the contracts): their topics are given as configuration.
const SCREENING_TOPIC = 'puente.specscreening.screening.v1';
const RECEPTION_TOPIC = 'puente.specreception.arrival.v1';

interface Entry {
  eventId: string;
  type: string;
  source: string;
  occurredAt: string;
  topic: string;
  actor: { clientId: string; partnerId: string | null; node: string | null } | null;
  data: Record<string, unknown> | null;
}

describe('case timeline (Kafka → projection → HTTP)', () => {
  let intake: IntakeTestApp;
  let broker: BrokerClient;
  let site: string;
  let caseId: string;
  let personId: string;
  const screening = { id: randomUUID(), type: 'puente.specscreening.v1.ScreeningCompleted' };
  const arrival = { id: randomUUID(), type: 'puente.specreception.v1.ArrivalCheckedIn' };

  beforeAll(async () => {
    intake = await startIntake('timeline', {
      timelineTopics: [
        { name: SCREENING_TOPIC, partitions: 3 },
        { name: RECEPTION_TOPIC, partitions: 2 },
      ],
    });
    broker = testBroker();
    site = uniqueSiteCode();
    expect((await intake.call('POST', '/v1/sites', { body: { code: site, name: 'CRM Tecún Umán', kind: 'fixed' } })).status).toBe(201);
    const registered = await intake.call('POST', '/v1/persons', { body: people.mariaJose(site) });
    caseId = registered.body.caseId;
    personId = registered.body.personId;
    expect((await intake.call('POST', `/v1/cases/${caseId}/consents`, { body: { personId, purpose: 'screening', method: 'written' } })).status).toBe(201);
  });

  afterAll(async () => {
    await intake?.close();
  });

  async function timeline(limit = 200): Promise<Entry[]> {
    const all: Entry[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: Entry[]; nextCursor: string | null } } = await intake.call('GET', `/v1/cases/${caseId}/timeline?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      all.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return all;
  }

  const foreign = (e: { id: string; type: string }, source: string, at: Date, key: string = caseId) => ({
    key,
    value: Buffer.from([0x08, 0x01]),
    headers: toHeaders({ id: e.id, type: e.type, source, time: at.toISOString(), subject: key }),
  });

  it('shows intake\'s own events and two other contexts\' events in time order, once each even when redelivered', async () => {
    const base = Date.now();
    const screeningMessage = foreign(screening, '/puente/gt/screening', new Date(base + 1));
    const arrivalMessage = foreign(arrival, '/puente/hn/reception', new Date(base + 2));
    await sendRaw(broker, RECEPTION_TOPIC, [arrivalMessage]);
    await sendRaw(broker, SCREENING_TOPIC, [screeningMessage, foreign({ id: randomUUID(), type: 'puente.specscreening.v1.Noise' }, '/puente/gt/screening', new Date(), 'not-a-case')]);
    // redelivery: the very same events again (same ce_id and source)
    await sendRaw(broker, SCREENING_TOPIC, [screeningMessage]);
    await sendRaw(broker, RECEPTION_TOPIC, [arrivalMessage]);

    const entries = await eventually('five timeline entries', async () => {
      const all = await timeline();
      return all.length >= 5 && all.some((e) => e.eventId === arrival.id) ? all : undefined;
    });
    expect(entries.map((e) => e.type)).toEqual([
      'puente.intake.v1.CaseOpened',
      'puente.intake.v1.PersonRegistered',
      'puente.intake.v1.ConsentRecorded',
      'puente.specscreening.v1.ScreeningCompleted',
      'puente.specreception.v1.ArrivalCheckedIn',
    ]);
    expect(new Set(entries.map((e) => e.eventId)).size).toBe(entries.length);
    const times = entries.map((e) => Date.parse(e.occurredAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(entries[3]).toMatchObject({ eventId: screening.id, source: '/puente/gt/screening', topic: SCREENING_TOPIC, actor: null, data: null });
    expect(entries[4]).toMatchObject({ eventId: arrival.id, source: '/puente/hn/reception', topic: RECEPTION_TOPIC });
    expect(entries[1]).toMatchObject({
      source: '/puente/gt/intake',
      actor: { clientId: 'gt-mrc-01-caseworker-app', partnerId: 'GT-MRC-01', node: 'GT' },
      data: expect.objectContaining({ personId, caseId, ageBand: 'AGE_BAND_AGED_18_TO_59', nationality: 'HN' }),
    });
    expect(await intake.ds.query('SELECT count(*)::int AS n FROM timeline_entry WHERE case_id = $1', [caseId])).toEqual([{ n: 5 }]);
    expect(await intake.ds.query(`SELECT count(*)::int AS n FROM timeline_entry WHERE event_id = $1`, [screening.id])).toEqual([{ n: 1 }]);
  });

  it('pages with a cursor without repeating or skipping', async () => {
    const all = await timeline();
    const paged = await timeline(2);
    expect(paged.map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
  });

  it('follows PersonUpdated: a correction puts the minimized attributes on the timeline, never the identity', async () => {
    const read = await intake.call('GET', `/v1/persons/${personId}`, { headers: { 'x-purpose': 'case-management' } });
    const patched = await intake.call('PATCH', `/v1/persons/${personId}`, {
      body: { vulnerabilityFlags: ['fear_of_return', 'survivor_of_violence'], familyNames: 'Pérez de Gómez' },
      headers: { 'if-match': read.headers.get('etag') as string, 'x-purpose': 'case-management' },
    });
    expect(patched.status).toBe(200);
    const entry = await eventually('PersonUpdated on the timeline', async () => (await timeline()).find((e) => e.type === 'puente.intake.v1.PersonUpdated'));
    expect(entry.data).toMatchObject({
      personId,
      caseId,
      caseIds: [caseId],
      ageBand: 'AGE_BAND_AGED_18_TO_59',
      sex: 'SEX_FEMALE',
      nationality: 'HN',
      vulnerabilityFlags: ['VULNERABILITY_FLAG_FEAR_OF_RETURN', 'VULNERABILITY_FLAG_SURVIVOR_OF_VIOLENCE'],
    });
    expect(JSON.stringify(entry.data)).not.toMatch(/Pérez|María|1994/);
  });

  it('keeps working after the person is erased, with the erasure on it and no personal data', async () => {
    expect((await intake.call('POST', `/v1/persons/${personId}/erase`)).status).toBe(200);
    const entries = await eventually('PersonErased on the timeline', async () => {
      const all = await timeline();
      return all.some((e) => e.type === 'puente.intake.v1.PersonErased') ? all : undefined;
    });
    expect(entries.at(-1)?.type).toBe('puente.intake.v1.PersonErased');
    const text = JSON.stringify(entries);
    for (const secret of ['María', 'Pérez', '1994-08-21', '+50433312345', '0801-1994-12345']) expect(text).not.toContain(secret);
  });

  it('refuses the timeline of a case outside the jurisdiction (404), and without cases:read (403)', async () => {
    const mx = await intake.token({ partnerId: 'MX-COMAR', node: 'MX', jurisdictions: ['MX'], scopes: ['cases:read'] });
    expect((await intake.call('GET', `/v1/cases/${caseId}/timeline`, { token: mx })).status).toBe(404);
    const noRead = await intake.token({ scopes: ['persons:write'] });
    expect((await intake.call('GET', `/v1/cases/${caseId}/timeline`, { token: noRead })).status).toBe(403);
    expect((await intake.call('GET', `/v1/cases/${randomUUID()}/timeline`)).status).toBe(404);
  });

  it('is rebuilt from the topics by the rebuild command', async () => {
    const before = await timeline();
    await intake.ds.query('DELETE FROM timeline_entry WHERE case_id = $1', [caseId]);
    expect(await timeline()).toEqual([]);
    const rebuild = spawnTs('services/intake/src/timeline/rebuild.ts', {
      INTAKE_DATABASE_URL: intake.config.databaseUrl,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      INTAKE_TIMELINE_TOPICS: `${SCREENING_TOPIC}:3,${RECEPTION_TOPIC}:2`,
      LOG_LEVEL: 'silent',
    });
    const { code } = await rebuild.exited;
    expect({ code, output: code === 0 ? '' : rebuild.output() }).toEqual({ code: 0, output: '' });
    const report = JSON.parse(rebuild.output().split('\n').find((l) => l.startsWith('{')) as string) as { entries: number; topics: { name: string }[] };
    expect(report.topics.map((t) => t.name)).toEqual(expect.arrayContaining(['puente.intake.case.v1', SCREENING_TOPIC, RECEPTION_TOPIC]));
    expect(report.entries).toBeGreaterThanOrEqual(before.length);
    const after = await timeline();
    expect(after.map(({ eventId, type, occurredAt, actor }) => ({ eventId, type, occurredAt, actor }))).toEqual(
      before.map(({ eventId, type, occurredAt, actor }) => ({ eventId, type, occurredAt, actor })),
    );
  }, 120_000);
});
