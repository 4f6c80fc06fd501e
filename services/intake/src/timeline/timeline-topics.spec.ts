import { dlqSpec, Topics, type TopicSpec } from '@puente/contracts';
import { parseTopicList, timelineTopics } from './timeline-topics';

describe('timeline subscriptions', () => {
  it('follows every catalogued topic keyed by case id, and no DLQ or topic keyed otherwise', () => {
    const names = timelineTopics().map((t) => t.name);
    expect(names).toContain(Topics.intakeCase.name);
    expect(names).not.toContain(Topics.intakeMatchKeys.name);
    expect(names.some((n) => n.endsWith('.dlq'))).toBe(false);
  });

  it('picks up a new context added to the catalog without code changes', () => {
    const screening: TopicSpec = { name: 'puente.screening.screening.v1', partitions: 6, key: 'caseId', eventTypes: ['puente.screening.v1.ScreeningCompleted'], description: 'screening' };
    const catalog = { intakeCase: Topics.intakeCase, intakeMatchKeys: Topics.intakeMatchKeys, screening, screeningDlq: dlqSpec(screening) } as Record<string, TopicSpec>;
    expect(timelineTopics([], catalog)).toEqual([
      { name: 'puente.intake.case.v1', partitions: 6 },
      { name: 'puente.screening.screening.v1', partitions: 6 },
    ]);
  });

  it('adds configured topics once, with their partition counts', () => {
    const extra = parseTopicList('puente.reception.arrival.v1:4, puente.intake.case.v1,puente.partner.comar-mx.v1');
    expect(extra).toEqual([
      { name: 'puente.reception.arrival.v1', partitions: 4 },
      { name: 'puente.intake.case.v1', partitions: 3 },
      { name: 'puente.partner.comar-mx.v1', partitions: 3 },
    ]);
    const catalog = { intakeCase: Topics.intakeCase, intakeMatchKeys: Topics.intakeMatchKeys } as Record<string, TopicSpec>;
    expect(timelineTopics(extra, catalog).map((t) => `${t.name}:${t.partitions}`)).toEqual([
      'puente.intake.case.v1:6',
      'puente.partner.comar-mx.v1:3',
      'puente.reception.arrival.v1:4',
    ]);
    // with the live catalog, every catalogued case topic is there too
    const live = timelineTopics(extra).map((t) => t.name);
    for (const spec of Object.values(Topics) as TopicSpec[]) if (spec.key === 'caseId') expect(live).toContain(spec.name);
  });

  it('refuses DLQs, bad names and bad partition counts', () => {
    expect(() => parseTopicList('puente.intake.case.v1.dlq')).toThrow(/dead-letter/);
    expect(() => parseTopicList('bad topic')).toThrow(/invalid topic name/);
    expect(() => parseTopicList('puente.x.v1:0')).toThrow(/partition/);
    expect(parseTopicList(undefined)).toEqual([]);
  });
});
