import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { AgeBand, encodeEvent, PersonRegisteredSchema, Sex, toTimestamp } from '@puente/contracts';
import { project, type TimelineInput } from './timeline-projector';

const caseId = randomUUID();
const input = (overrides: Partial<TimelineInput> = {}): TimelineInput => ({
  id: randomUUID(),
  type: 'puente.reintegration.v1.PlanCreated',
  source: '/puente/hn/reintegration',
  time: '2026-03-10T15:04:05.123Z',
  key: caseId,
  topic: 'puente.reintegration.plan.v1',
  payload: new Uint8Array([1, 2, 3]),
  fallbackTime: new Date('2026-03-11T00:00:00Z'),
  ...overrides,
});

describe('timeline projection of one event', () => {
  it('keeps an event of an unknown context by its CloudEvents attributes only', () => {
    expect(project(input())).toEqual({ caseId, occurredAt: new Date('2026-03-10T15:04:05.123Z'), actor: null, data: null });
  });

  it('decodes a known event: payload as protobuf JSON and its Actor field as the actor', () => {
    const personId = randomUUID();
    const payload = encodeEvent(
      PersonRegisteredSchema,
      create(PersonRegisteredSchema, {
        personId,
        caseId,
        siteCode: 'GT-MRC-01',
        ageBand: AgeBand.AGED_18_TO_59,
        sex: Sex.FEMALE,
        nationality: 'SV',
        registeredAt: toTimestamp(new Date('2026-03-10T15:04:05Z')),
        registeredBy: { clientId: 'mrc-gt-tecun-uman-frontend', partnerId: 'GT-MRC-01', node: 'GT' },
      }),
    );
    const projected = project(input({ type: 'puente.intake.v1.PersonRegistered', payload }));
    expect(projected?.actor).toEqual({ clientId: 'mrc-gt-tecun-uman-frontend', partnerId: 'GT-MRC-01', node: 'GT' });
    expect(projected?.data).toMatchObject({ personId, caseId, siteCode: 'GT-MRC-01', ageBand: 'AGE_BAND_AGED_18_TO_59', sex: 'SEX_FEMALE', nationality: 'SV' });
  });

  it('keeps a known type whose payload does not decode, without details', () => {
    expect(project(input({ type: 'puente.intake.v1.CaseOpened', payload: new Uint8Array([0x0a, 0xff]) }))).toMatchObject({ actor: null, data: null });
  });

  it('uses the Kafka time when ce_time is missing or invalid, and normalizes the case id', () => {
    expect(project(input({ time: '' }))?.occurredAt).toEqual(new Date('2026-03-11T00:00:00Z'));
    expect(project(input({ time: 'yesterday' }))?.occurredAt).toEqual(new Date('2026-03-11T00:00:00Z'));
    expect(project(input({ key: caseId.toUpperCase() }))?.caseId).toBe(caseId);
  });

  it('ignores events that are not keyed by a case id', () => {
    expect(project(input({ key: null }))).toBeNull();
    expect(project(input({ key: 'MX-COMAR' }))).toBeNull();
  });
});
