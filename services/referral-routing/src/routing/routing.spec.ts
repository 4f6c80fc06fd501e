import { randomUUID } from 'node:crypto';
import {
  AgeBand,
  CaseOpenedSchema,
  ConsentPurpose,
  ConsentRecordedSchema,
  ConsentWithdrawnSchema,
  decodeEvent,
  HouseholdChangedSchema,
  Pathway,
  PartnerType,
  ProtectionAlertRaisedSchema,
  ProtectionFlag,
  ReferralSlaBreachedSchema,
  ScreeningCompletedSchema,
  ScreeningRiskLevel,
  Sex,
  SlaKind,
  Topics,
  toTimestamp,
  VulnerabilityFlag,
} from '@puente/contracts';
import { readTopic, type RecordedEvent } from '@puente/messaging';
import { ServiceConfig } from '@puente/platform';
import { RoutingCaseFacts } from '../cases/case-model';
import { seedId } from '../directory/seed/seed-directory';
import { consumed, expectProblem, publishEvent, type ReferralRoutingTestApp, startReferralRouting } from '../testing/harness';
import { PROTECTION_ALERT_ACK_MINUTES, ProtectionAlerts, ProtectionAlertSweeper, RoutingClock } from './protection-alerts';
import { SuggestionsService } from './suggestions.service';

const PTA = seedId('program/unhcr-cr-pta');

describe('routing: case read model, suggestions and protection alerts from real events (Kafka, PostgreSQL, HTTP)', () => {
  let t: ReferralRoutingTestApp;

  beforeAll(async () => {
    // No background loops: the test drives the sweeper with its own clock.
    t = await startReferralRouting('routing', { env: { REFERRAL_POLL_INTERVAL_MS: '0' } });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const intake = (caseId: string, schema: Parameters<typeof publishEvent>[3], message: any) => publishEvent(t.broker, Topics.intakeCase.name, caseId, schema, message);
  const screening = (caseId: string, schema: Parameters<typeof publishEvent>[3], message: any) => publishEvent(t.broker, Topics.screening.name, caseId, schema, message, '/puente/gt/screening');

  /** A Honduran woman with her child at the Guatemala City MRC, consenting to referral to UNHCR Costa Rica. */
  async function openCase(): Promise<{ caseId: string; persons: string[]; consentId: string }> {
    const caseId = randomUUID();
    const persons = [randomUUID(), randomUUID()];
    const consentId = randomUUID();
    await intake(caseId, CaseOpenedSchema, {
      caseId,
      reference: `GT-2026-${caseId.slice(0, 6)}`,
      siteCode: 'GT-MRC-01',
      custodyNode: 'GT',
      openedAt: toTimestamp(),
      household: true,
      ageBand: AgeBand.AGED_18_TO_59,
      sex: Sex.FEMALE,
      nationality: 'HN',
      vulnerabilityFlags: [VulnerabilityFlag.SINGLE_CAREGIVER],
    });
    await intake(caseId, HouseholdChangedSchema, {
      householdId: randomUUID(),
      caseId,
      members: [
        { personId: persons[0], ageBand: AgeBand.AGED_18_TO_59 },
        { personId: persons[1], ageBand: AgeBand.AGED_5_TO_11 },
      ],
      changedAt: toTimestamp(),
    });
    await consumed(t, await intake(caseId, ConsentRecordedSchema, { consentId, caseId, personId: persons[0], purpose: ConsentPurpose.REFERRAL, partnerType: PartnerType.INTERNATIONAL_ORGANIZATION, recordedAt: toTimestamp() }));
    return { caseId, persons, consentId };
  }

  const completeScreening = (caseId: string, screeningId = randomUUID()) =>
    screening(caseId, ScreeningCompletedSchema, {
      screeningId,
      caseId,
      flags: [{ flag: ProtectionFlag.FEAR_OF_RETURN, reasons: ['q_fear_of_return'] }, { flag: ProtectionFlag.SINGLE_CAREGIVER, reasons: ['q_travelling_with'] }],
      riskLevel: ScreeningRiskLevel.HIGH,
      recommendations: [
        { pathway: Pathway.PROTECTION_TRANSFER_ARRANGEMENT, reasons: ['q_fear_of_return'] },
        { pathway: Pathway.IDP_PROTECTION, reasons: ['q_current_location'] },
        { pathway: Pathway.PSYCHOSOCIAL_SUPPORT, reasons: ['q_violence'] },
      ],
      completedAt: toTimestamp(),
    });

  it('projects intake events into the case read model, and answers referrals about persons and consents', async () => {
    const { caseId, persons, consentId } = await openCase();
    const facts = t.app.get(RoutingCaseFacts);
    const found = await facts.find(t.ds.manager, caseId);
    expect(found).toMatchObject({
      caseId,
      siteCode: 'GT-MRC-01',
      closed: false,
      erased: false,
      personIds: [...persons].sort(),
      profile: { ageBand: '18-59', sex: 'female', nationality: 'HN', country: 'GT', site: 'GT-MRC-01', household: true, householdSize: 2, flags: ['single_caregiver'], recommended: [] },
    });
    const unhcr = { id: 'UNHCR-CR', partnerType: 'international_organization' as const };
    expect(await facts.consentsFor(t.ds.manager, caseId, unhcr, new Date())).toEqual({ referral: true, dataSharing: false });
    expect(await facts.consentsFor(t.ds.manager, caseId, { id: 'MX-COMAR', partnerType: 'government_asylum_agency' }, new Date())).toEqual({ referral: false, dataSharing: false });
    await consumed(t, await intake(caseId, ConsentWithdrawnSchema, { consentId, caseId, purpose: ConsentPurpose.REFERRAL, withdrawnAt: toTimestamp() }));
    expect(await facts.consentsFor(t.ds.manager, caseId, unhcr, new Date())).toEqual({ referral: false, dataSharing: false });
  });

  it('ranks eligible programs after a real ScreeningCompleted: PTA first, ineligible ones with their failed rules; SuggestionsComputed goes out', async () => {
    const { caseId } = await openCase();
    const screeningId = randomUUID();
    await consumed(t, await completeScreening(caseId, screeningId));
    const res = await t.call('GET', `/v1/cases/${caseId}/suggestions`, { token: await t.token({ scopes: ['cases:read'] }) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ caseId, screeningId });
    const [first] = res.body.suggestions;
    expect(first).toMatchObject({ rank: 1, programId: PTA, partnerId: 'UNHCR-CR', pathway: 'pta', node: 'CR', hostedHere: false, pathwayStrength: 3, hasOpenSlot: true });
    expect(first.reasons[0]).toBe('pathway pta recommended by the screening (strength 3)');
    expect(first.reasons.at(-1)).toBe('eligible on country, flag:fear_of_return, nationality, risk_at_least:high');
    const suggested = res.body.suggestions.map((s: any) => s.programId);
    // Psychosocial care at the MRCs (recommended third) comes next; unrecommended eligible programs follow.
    expect(suggested[1]).toBe(seedId('program/iom-gt-psychosocial'));
    expect(suggested).toEqual(expect.arrayContaining([seedId('program/unhcr-gt-resettlement'), seedId('program/pmh-legal')]));
    expect(res.body.suggestions.slice(2).every((s: any) => s.pathwayStrength === 0)).toBe(true);
    const cam = res.body.ineligible.find((i: any) => i.programId === seedId('program/us-cam'));
    expect(cam.failedRules).toEqual([{ rule: 'eligibility.and[2]', condition: { recommended: 'cam' }, decidedBy: ['recommended:cam'] }]);
    const reintegration = res.body.ineligible.find((i: any) => i.programId === seedId('program/iom-gt-reintegration'));
    expect(reintegration.failedRules.map((r: any) => r.decidedBy)).toEqual([['nationality']]);
    expect(suggested).not.toContain(seedId('program/us-cam'));
    const events = await readTopic(t.broker, Topics.routing.name, { until: (s) => s.some((e) => e.key === caseId && e.headers.ce_type === 'puente.referral.v1.SuggestionsComputed') });
    const computed = decodeEvent('puente.referral.v1.SuggestionsComputed', events.find((e) => e.key === caseId)!.value);
    expect(computed).toMatchObject({ caseId, screeningId, ineligibleCount: res.body.ineligible.length });
    expect(computed.suggestions[0]).toMatchObject({ programId: PTA, rank: 1, partnerId: 'UNHCR-CR' });
  });

  it('serves suggestions only to callers with cases:read whose jurisdictions cover the case (404 otherwise)', async () => {
    const { caseId } = await openCase();
    await consumed(t, await completeScreening(caseId));
    expectProblem(await t.call('GET', `/v1/cases/${caseId}/suggestions`, { token: await t.token({ scopes: ['referrals:read'] }) }), 403, 'insufficient-scope');
    const elsewhere = await t.call('GET', `/v1/cases/${caseId}/suggestions`, { token: await t.token({ scopes: ['cases:read'], jurisdictions: ['MX'], partnerId: 'MX-COMAR', node: 'MX' }) });
    const unknown = await t.call('GET', `/v1/cases/${randomUUID()}/suggestions`, { token: await t.token({ scopes: ['cases:read'], jurisdictions: ['MX'], partnerId: 'MX-COMAR', node: 'MX' }) });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body).toEqual({ ...unknown.body, instance: elsewhere.body.instance, requestId: elsewhere.body.requestId });
    expectProblem(await t.call('GET', `/v1/cases/not-a-uuid/suggestions`, { token: await t.token({ scopes: ['cases:read'] }) }), 400);
  });

  it('ranks a screening that arrives before its case once CaseOpened places the case', async () => {
    const caseId = randomUUID();
    await consumed(t, await completeScreening(caseId));
    expect((await t.call('GET', `/v1/cases/${caseId}/suggestions`, { token: await t.token({ scopes: ['cases:read'] }) })).status).toBe(404);
    await consumed(t, await intake(caseId, CaseOpenedSchema, { caseId, reference: 'GT-2026-L8', siteCode: 'GT-MRC-02', custodyNode: 'GT', openedAt: toTimestamp(), ageBand: AgeBand.AGED_18_TO_59, sex: Sex.MALE, nationality: 'SV' }));
    const res = await t.call('GET', `/v1/cases/${caseId}/suggestions`, { token: await t.token({ scopes: ['cases:read'] }) });
    expect(res.body.suggestions[0].programId).toBe(PTA);
  });

  it('a caseworker refers from a suggestion; withdrawing the referral consent (intake event) cancels the open referral', async () => {
    const { caseId, persons, consentId } = await openCase();
    await consumed(t, await completeScreening(caseId));
    const [pta] = (await t.call('GET', `/v1/cases/${caseId}/suggestions`, { token: await t.token({ scopes: ['cases:read'] }) })).body.suggestions;
    const caseworker = await t.token({ scopes: ['referrals:write', 'referrals:read'] });
    const created = await t.call('POST', '/v1/referrals', { token: caseworker, body: { caseId, programId: pta.programId, coveredPersonIds: [persons[0]], reason: 'routing_suggestion', suggestionId: pta.suggestionId } });
    expect(created.status).toBe(201);
    await consumed(t, await intake(caseId, ConsentWithdrawnSchema, { consentId, caseId, purpose: ConsentPurpose.REFERRAL, withdrawnAt: toTimestamp() }));
    const after = await t.call('GET', `/v1/referrals/${created.body.id}`, { token: caseworker });
    expect(after.body.status).toBe('cancelled');
  });

  it('keeps each program’s SLA record from referral events', async () => {
    const programId = seedId('program/pmh-legal');
    const before = (await t.ds.query(`SELECT breached FROM routing_program_sla WHERE program_id = $1`, [programId]))[0]?.breached ?? 0;
    const caseId = randomUUID();
    await consumed(
      t,
      await publishEvent(t.broker, Topics.referral.name, caseId, ReferralSlaBreachedSchema, { referralId: randomUUID(), caseId, programId, partnerId: 'GT-PMH', sla: SlaKind.ACKNOWLEDGE, dueAt: toTimestamp(), breachedAt: toTimestamp() }, '/puente/gt/referral-routing'),
    );
    expect((await t.ds.query(`SELECT breached FROM routing_program_sla WHERE program_id = $1`, [programId]))[0].breached).toBe(before + 1);
  });

  describe('urgent protection alerts', () => {
    const raiseFor = async (caseId: string, raisedAt: Date) => {
      const alertId = randomUUID();
      await consumed(
        t,
        await screening(caseId, ProtectionAlertRaisedSchema, { alertId, screeningId: randomUUID(), caseId, riskLevel: ScreeningRiskLevel.URGENT, flags: [ProtectionFlag.UNACCOMPANIED_CHILD], reasons: ['q_danger_now'], siteCode: 'GT-MRC-03', custodyNode: 'GT', raisedAt: toTimestamp(raisedAt) }),
      );
      return alertId;
    };

    it('gives each alert an acknowledgement deadline and escalates it once when missed (test clock, no waiting)', async () => {
      const raisedAt = new Date(Date.UTC(2031, 0, 5, 10, 0, 0));
      const caseId = randomUUID();
      const alertId = await raiseFor(caseId, raisedAt);
      const alert = await t.call('GET', `/v1/protection-alerts/${alertId}`, { token: await t.token({ scopes: ['cases:read'] }) });
      expect(alert.body).toMatchObject({ alertId, caseId, siteCode: 'GT-MRC-03', riskLevel: 'urgent', acknowledgeDueAt: new Date(raisedAt.getTime() + PROTECTION_ALERT_ACK_MINUTES * 60_000).toISOString(), escalatedAt: null });

      const clock = { at: new Date(raisedAt.getTime() + (PROTECTION_ALERT_ACK_MINUTES - 1) * 60_000), now() { return this.at; } } as RoutingClock & { at: Date };
      const sweeper = new ProtectionAlertSweeper(t.app.get(ProtectionAlerts), clock, t.app.get(ServiceConfig));
      expect(await sweeper.sweep()).not.toContain(alertId);
      clock.at = new Date(raisedAt.getTime() + (PROTECTION_ALERT_ACK_MINUTES + 1) * 60_000);
      expect(await sweeper.sweep()).toContain(alertId);
      expect(await sweeper.sweep()).not.toContain(alertId);

      const late = await t.call('POST', `/v1/protection-alerts/${alertId}/acknowledgement`, { token: await t.token({ scopes: ['cases:write'] }) });
      expect(late.status).toBe(200);

      // This service's events for the case, as its outbox wrote them: other suites' routing processes on the run's
      // broker consume the same screening topic and publish their own AcknowledgementDue for this alert (CI showed
      // one). Delivery is at least once and a throwaway reader may be handed a record again after a rebalance: once
      // each by CloudEvents id. One read for all three events (each read joins a fresh group and scans the topic),
      // with a budget under the test's own, so a stall names what was and was not published.
      const outbox = async () =>
        (await t.ds.query(`SELECT event_id, event_type, published_at FROM outbox_message WHERE message_key = $1 ORDER BY id`, [caseId])) as { event_id: string; event_type: string; published_at: Date | null }[];
      const written = await outbox();
      expect(written.map((r) => r.event_type)).toEqual([
        'puente.referral.v1.ProtectionAlertAcknowledgementDue',
        'puente.referral.v1.ProtectionAlertEscalated',
        'puente.referral.v1.ProtectionAlertAcknowledged',
      ]);
      const ours = new Set(written.map((r) => r.event_id));
      const distinct = (seen: RecordedEvent[]) => [...new Map(seen.filter((e) => e.key === caseId && ours.has(e.headers.ce_id)).map((e) => [e.headers.ce_id, e])).values()];
      const mine = distinct(
        await readTopic(t.broker, Topics.routing.name, { until: (s) => distinct(s).length >= 3, timeoutMs: 20_000 }).catch(async (e: Error) => {
          const state = (await outbox()).map((r) => `${r.event_type.split('.').at(-1)} ${r.published_at ? 'published' : 'unpublished'}`);
          throw new Error(`${e.message}; this service's outbox for the case: ${state.join(', ')}`);
        }),
      );
      expect(mine.map((e) => e.headers.ce_type)).toEqual(written.map((r) => r.event_type));
      expect(decodeEvent('puente.referral.v1.ProtectionAlertEscalated', mine[1].value)).toMatchObject({ alertId, caseId, siteCode: 'GT-MRC-03', riskLevel: ScreeningRiskLevel.URGENT });
      expect(decodeEvent('puente.referral.v1.ProtectionAlertAcknowledged', mine[2].value)).toMatchObject({ alertId, caseId, late: true });
    });

    it('an alert acknowledged in time is never escalated; acknowledging again changes nothing; other jurisdictions see 404', async () => {
      const raisedAt = new Date(Date.UTC(2031, 0, 6, 10, 0, 0));
      const caseId = randomUUID();
      const alertId = await raiseFor(caseId, raisedAt);
      expectProblem(await t.call('POST', `/v1/protection-alerts/${alertId}/acknowledgement`, { token: await t.token({ scopes: ['cases:write'], jurisdictions: ['GT-MRC-01'] }) }), 404);
      expectProblem(await t.call('POST', `/v1/protection-alerts/${alertId}/acknowledgement`, { token: await t.token({ scopes: ['cases:read'] }) }), 403);
      const ack = await t.call('POST', `/v1/protection-alerts/${alertId}/acknowledgement`, { token: await t.token({ scopes: ['cases:write'], jurisdictions: ['GT-MRC-03'] }) });
      expect(ack.status).toBe(200);
      expect(ack.body.acknowledgedAt).not.toBeNull();
      const again = await t.call('POST', `/v1/protection-alerts/${alertId}/acknowledgement`, { token: await t.token({ scopes: ['cases:write'] }) });
      expect(again.body.acknowledgedAt).toBe(ack.body.acknowledgedAt);
      expect(await t.app.get(ProtectionAlerts).escalateDue(new Date(raisedAt.getTime() + 24 * 3_600_000))).not.toContain(alertId);
      expect((await t.ds.query(`SELECT count(*)::int AS n FROM outbox_message WHERE event_type = 'puente.referral.v1.ProtectionAlertAcknowledged' AND message_key = $1`, [caseId]))[0].n).toBe(1);
    });

    it('refers the case of an urgent alert automatically where the program says so, within the consents given', async () => {
      const { caseId, persons } = await openCase();
      await consumed(t, await completeScreening(caseId));
      await raiseFor(caseId, new Date());
      const list = await t.call('GET', `/v1/referrals?caseId=${caseId}`, { token: await t.token({ scopes: ['referrals:read'] }) });
      expect(list.status).toBe(200);
      // PTA (UNHCR) and MRC psychosocial care (IOM): international organizations, which the referral consent names;
      // the Casa del Migrante shelter (an NGO) is not covered by it, so no referral goes there.
      expect(list.body.items.map((r: any) => r.programId).sort()).toEqual([PTA, seedId('program/iom-gt-psychosocial')].sort());
      expect(list.body.items[0].coveredPersonIds.sort()).toEqual([...persons].sort());
    });

    it('names the programs an urgent alert may refer to without a caseworker (eligible, auto-refer, open slot)', async () => {
      const { caseId } = await openCase();
      await consumed(t, await completeScreening(caseId));
      const targets = await t.app.get(SuggestionsService).autoReferralTargets(t.ds.manager, caseId);
      expect(targets.map((p) => p.id)).toEqual([PTA, seedId('program/iom-gt-psychosocial'), seedId('program/pmh-shelter')]);
      expect(targets.every((p) => p.autoReferOnProtectionAlert && p.capacity.openSlots > 0)).toBe(true);
    });
  });
});
