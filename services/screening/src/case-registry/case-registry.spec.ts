import { randomUUID } from 'node:crypto';
import { CaseClosedSchema, CaseCloseReason, CaseOpenedSchema, ConsentPurpose, ConsentRecordedSchema, dlqTopic, ScreeningCancelReason, Topics, toTimestamp } from '@puente/contracts';
import { DEFAULT_RETRY_POLICY, readTopic, sendRaw, toHeaders } from '@puente/messaging';
import { eventually } from '@puente/testing';
import { consumerGroupOf, expectProblem, openCase, publishIntake, type ScreeningTestApp, screeningEventsOf, startScreening, withdrawConsent } from '../testing/harness';
import { consentInForce } from './case-registry.service';
import type { CaseConsentEntity } from './case-record.entity';

describe('case registry: the read model of cases and consents (real Kafka and PostgreSQL)', () => {
  let t: ScreeningTestApp;

  beforeAll(async () => {
    t = await startScreening('registry');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const caseRow = async (caseId: string) => (await t.ds.query(`SELECT * FROM case_record WHERE case_id = $1`, [caseId]))[0];

  it('records CaseOpened with only what screening needs, and screening consents only', async () => {
    const { caseId, consentId } = await openCase(t, { siteCode: 'GT-MRC-03' });
    expect(await caseRow(caseId)).toMatchObject({ case_id: caseId, site_code: 'GT-MRC-03', custody_node: 'GT', closed_at: null });
    const referral = randomUUID();
    const marker = await publishIntake(t.broker, caseId, ConsentRecordedSchema, { consentId: referral, caseId, purpose: ConsentPurpose.REFERRAL, recordedAt: toTimestamp() });
    await eventually('the referral consent is consumed', async () => (await t.ds.query(`SELECT 1 FROM inbox_message WHERE event_id = $1`, [marker])).length === 1);
    const consents = await t.ds.query(`SELECT consent_id FROM case_consent WHERE case_id = $1`, [caseId]);
    expect(consents).toEqual([{ consent_id: consentId }]);
  });

  it('keeps open screenings when another screening consent is still in force', async () => {
    const { caseId, consentId } = await openCase(t);
    const second = randomUUID();
    await publishIntake(t.broker, caseId, ConsentRecordedSchema, { consentId: second, caseId, purpose: ConsentPurpose.SCREENING, recordedAt: toTimestamp() });
    await eventually('second consent', async () => (await t.ds.query(`SELECT 1 FROM case_consent WHERE consent_id = $1`, [second])).length === 1);
    const started = await t.call('POST', '/v1/screenings', { body: { caseId } });
    expect(started.status).toBe(201);
    const withdrawal = await withdrawConsent(t, caseId, consentId!);
    await eventually('withdrawal consumed', async () => (await t.ds.query(`SELECT 1 FROM inbox_message WHERE event_id = $1`, [withdrawal])).length === 1);
    expect((await t.call('GET', `/v1/screenings/${started.body.id}`)).body.status).toBe('in_progress');
  });

  it('cancels open screenings when the case is closed, and refuses new ones', async () => {
    const { caseId } = await openCase(t);
    const started = await t.call('POST', '/v1/screenings', { body: { caseId } });
    await publishIntake(t.broker, caseId, CaseClosedSchema, { caseId, closedAt: toTimestamp(), reason: CaseCloseReason.TRANSFERRED_OUT });
    await eventually('case closed', async () => (await caseRow(caseId))?.closed_at !== null);
    expect((await caseRow(caseId)).close_reason).toBe('transferred_out');
    expect((await t.call('GET', `/v1/screenings/${started.body.id}`)).body).toMatchObject({ status: 'cancelled', cancelReason: 'case_closed' });
    const events = await screeningEventsOf(t, caseId, (e) => e.some((x) => x.type === 'puente.screening.v1.ScreeningCancelled'));
    expect(events.find((x) => x.type === 'puente.screening.v1.ScreeningCancelled')?.message).toMatchObject({ reason: ScreeningCancelReason.CASE_CLOSED });
    expect(expectProblem(await t.call('POST', '/v1/screenings', { body: { caseId } }), 409, 'screening-not-allowed').reason).toBe('case-closed');
  });

  it('dead-letters a malformed intake event without blocking the events after it', async () => {
    const caseId = randomUUID();
    const badId = randomUUID();
    await sendRaw(t.broker, Topics.intakeCase.name, [
      {
        key: caseId,
        value: Buffer.from([0xff, 0xff, 0xff]),
        headers: toHeaders({ id: badId, type: 'puente.intake.v1.CaseOpened', source: '/puente/gt/intake', time: new Date().toISOString(), subject: caseId }),
      },
    ]);
    const notUuid = await publishIntake(t.broker, caseId, CaseOpenedSchema, { caseId: 'GT-2026-000001', reference: 'GT-2026-000001', siteCode: 'GT-MRC-01', custodyNode: 'GT' });
    const outOfRange = await publishIntake(t.broker, caseId, ConsentRecordedSchema, {
      consentId: randomUUID(),
      caseId,
      purpose: ConsentPurpose.SCREENING,
      validFrom: { seconds: 900_000_000_000n, nanos: 0 },
    });
    await publishIntake(t.broker, caseId, CaseOpenedSchema, { caseId, reference: 'GT-2026-000777', siteCode: 'GT-MRC-01', custodyNode: 'GT', openedAt: toTimestamp() });
    await eventually('the good event after the bad ones is applied', async () => (await caseRow(caseId)) !== undefined);
    const dead = await readTopic(t.broker, dlqTopic(Topics.intakeCase.name), {
      until: (seen) => [badId, notUuid, outOfRange].every((id) => seen.some((m) => m.headers.ce_id === id && m.headers.dlq_consumer_group === consumerGroupOf('registry'))),
    });
    const mine = dead.filter((m) => m.headers.dlq_consumer_group === consumerGroupOf('registry') && [badId, notUuid, outOfRange].includes(m.headers.ce_id));
    expect(mine.map((m) => m.headers.dlq_error_type)).toEqual(['NonRetryableError', 'NonRetryableError', 'NonRetryableError']);
    // Poison is not retried with backoff (NonRetryableError): fewer attempts than the retry policy allows.
    for (const m of mine) expect(Number(m.headers.dlq_attempts)).toBeLessThan(DEFAULT_RETRY_POLICY.maxAttempts);
  });

  it('decides whether a consent is in force from its dates and withdrawal', () => {
    const at = new Date('2026-03-01T12:00:00Z');
    const consent = (o: Partial<CaseConsentEntity>): CaseConsentEntity =>
      ({ consentId: 'c', caseId: 'x', validFrom: null, validUntil: null, recordedAt: new Date('2026-02-01'), withdrawnAt: null, updatedAt: at, ...o }) as CaseConsentEntity;
    expect(consentInForce(consent({}), at)).toBe(true);
    expect(consentInForce(consent({ validFrom: new Date('2026-03-01T12:00:00Z') }), at)).toBe(true);
    expect(consentInForce(consent({ validFrom: new Date('2026-03-01T12:00:01Z') }), at)).toBe(false);
    expect(consentInForce(consent({ validUntil: new Date('2026-03-01T12:00:00Z') }), at)).toBe(false);
    expect(consentInForce(consent({ withdrawnAt: new Date('2026-02-15') }), at)).toBe(false);
    expect(consentInForce(consent({ recordedAt: null }), at)).toBe(false);
  });
});
