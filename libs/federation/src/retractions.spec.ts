import fc from 'fast-check';
import { type DeliveryFact, type NoticeFact, noticeStatus, purposeOfChannel, type Retraction, retractionsDue, routeOf } from './retractions';

const t = (minutes: number) => new Date(Date.UTC(2027, 0, 1, 0, minutes));
const delivery = (receiverType: 'node' | 'partner', receiver: string, channel: string, at: number, caseId: string | null = null): DeliveryFact => ({ receiverType, receiver, channel, caseId, deliveredAt: t(at) });
const erased: Retraction = { cause: 'person-erased' };
const withdrawn = (purpose: string): Retraction => ({ cause: 'consent-withdrawn', purpose });

describe('who is owed a retraction notice', () => {
  it('an erasure: every receiver, once per route, with the channels it got the data through', () => {
    const deliveries = [
      delivery('node', 'MX', 'match-keys', 1),
      delivery('node', 'MX', 'match-keys', 2),
      delivery('node', 'MX', 'custody-transfer', 3, 'c-2'),
      delivery('partner', 'P-1', 'disclosure', 4, 'c-1'),
      delivery('partner', 'P-1', 'webhook', 5, 'c-1'),
    ];
    expect(retractionsDue(deliveries, [], erased)).toEqual([
      { receiverType: 'node', receiver: 'MX', route: 'match-keys-retraction', channels: ['match-keys'], caseId: null },
      { receiverType: 'node', receiver: 'MX', route: 'retraction', channels: ['custody-transfer'], caseId: 'c-2' },
      { receiverType: 'partner', receiver: 'P-1', route: 'partner', channels: ['disclosure', 'webhook'], caseId: 'c-1' },
    ]);
  });

  it('a node notice travels where the node keeps what it got: match keys with intake, a referral with referral routing, anything else as a retraction', () => {
    expect(routeOf('node', 'match-keys')).toBe('match-keys-retraction');
    expect(routeOf('node', 'referral')).toBe('referral-retraction');
    expect(routeOf('node', 'custody-transfer')).toBe('retraction');
    for (const channel of ['webhook', 'kafka', 'pull', 'disclosure']) expect(routeOf('partner', channel)).toBe('partner');
    const due = retractionsDue([delivery('node', 'MX', 'referral', 1, 'c-1'), delivery('node', 'MX', 'custody-transfer', 2, 'c-1')], [], erased);
    expect(due.map((d) => `${d.route}:${d.channels.join(',')}`)).toEqual(['referral-retraction:referral', 'retraction:custody-transfer']);
  });

  it('a consent withdrawal: only the receivers whose deliveries relied on that consent', () => {
    const deliveries = [delivery('node', 'MX', 'match-keys', 1), delivery('partner', 'P-1', 'disclosure', 2), delivery('node', 'CR', 'referral', 3)];
    expect(retractionsDue(deliveries, [], withdrawn('identity_matching')).map((d) => d.receiver)).toEqual(['MX']);
    expect(retractionsDue(deliveries, [], withdrawn('referral')).map((d) => d.receiver)).toEqual(['CR', 'P-1']);
    expect(retractionsDue(deliveries, [], withdrawn('screening'))).toEqual([]);
    // Another referral consent still covers CR: only the partner is noticed; an erasure notices both.
    expect(retractionsDue(deliveries, [], { ...withdrawn('referral'), keep: ['node:CR'] }).map((d) => d.receiver)).toEqual(['P-1']);
    expect(retractionsDue(deliveries, [], { cause: 'person-erased', keep: ['node:CR'] }).map((d) => d.receiver)).toEqual(['CR', 'MX', 'P-1']);
  });

  it('an unknown channel is retracted by any withdrawal (the safe side)', () => {
    expect(purposeOfChannel('carrier-pigeon')).toBeNull();
    expect(retractionsDue([delivery('partner', 'P-9', 'carrier-pigeon', 1)], [], withdrawn('screening')).map((d) => d.receiver)).toEqual(['P-9']);
  });

  it('a receiver already noticed is not noticed again, unless it received more since', () => {
    const deliveries = [delivery('node', 'MX', 'match-keys', 1)];
    const sent: NoticeFact[] = [{ receiverType: 'node', receiver: 'MX', route: 'match-keys-retraction', purpose: 'identity_matching', sentAt: t(2) }];
    expect(retractionsDue(deliveries, sent, erased)).toEqual([]);
    expect(retractionsDue([...deliveries, delivery('node', 'MX', 'match-keys', 3)], sent, erased)).toHaveLength(1);
    // A notice for another purpose does not cover the delivery.
    const other: NoticeFact[] = [{ ...sent[0], purpose: 'referral' }];
    expect(retractionsDue(deliveries, other, erased)).toHaveLength(1);
  });

  it('the notice status: receipted, waiting until due, then overdue', () => {
    expect(noticeStatus({ dueAt: t(10), receiptedAt: t(5) }, t(20))).toBe('receipted');
    expect(noticeStatus({ dueAt: t(10), receiptedAt: null }, t(9))).toBe('waiting');
    expect(noticeStatus({ dueAt: t(10), receiptedAt: null }, t(10))).toBe('overdue');
  });

  const CHANNELS = ['match-keys', 'referral', 'custody-transfer', 'disclosure', 'webhook', 'kafka', 'pull', 'carrier-pigeon'];
  const PURPOSES = ['identity_matching', 'referral', 'cross_border_transfer', 'screening'];
  const deliveryArb: fc.Arbitrary<DeliveryFact> = fc
    .record({
      receiverType: fc.constantFrom('node' as const, 'partner' as const),
      receiver: fc.constantFrom('MX', 'HN', 'P-1', 'P-2'),
      channel: fc.constantFrom(...CHANNELS),
      caseId: fc.option(fc.constantFrom('c-1', 'c-2'), { nil: null }),
      at: fc.integer({ min: 0, max: 100 }),
    })
    .map(({ at, ...d }) => ({ ...d, deliveredAt: t(at) }));
  const retractionArb: fc.Arbitrary<Retraction> = fc.oneof(fc.constant(erased), fc.constantFrom(...PURPOSES).map(withdrawn));
  const noticesFor = (due: ReturnType<typeof retractionsDue>, r: Retraction, at: number): NoticeFact[] =>
    due.map((d) => ({ receiverType: d.receiverType, receiver: d.receiver, route: d.route, purpose: r.cause === 'person-erased' ? null : (r.purpose ?? null), sentAt: t(at) }));

  it('properties: every concerned delivery is covered once the due notices are sent, and sending them again owes nothing', () => {
    fc.assert(
      fc.property(fc.array(deliveryArb, { maxLength: 12 }), fc.array(retractionArb, { minLength: 1, maxLength: 4 }), (deliveries, retractions) => {
        let sent: NoticeFact[] = [];
        for (const r of retractions) {
          const due = retractionsDue(deliveries, sent, r);
          // Never a notice to a receiver that received nothing, never two for one receiver and route.
          for (const d of due) expect(deliveries.some((x) => x.receiverType === d.receiverType && x.receiver === d.receiver && routeOf(x.receiverType, x.channel) === d.route)).toBe(true);
          expect(new Set(due.map((d) => `${d.receiverType}/${d.receiver}/${d.route}`)).size).toBe(due.length);
          sent = [...sent, ...noticesFor(due, r, 200)];
          expect(retractionsDue(deliveries, sent, r)).toEqual([]);
        }
        // After an erasure, nobody who received anything is left without a notice.
        const afterErasure = [...sent, ...noticesFor(retractionsDue(deliveries, sent, erased), erased, 300)];
        for (const d of deliveries) {
          expect(afterErasure.some((n) => n.receiver === d.receiver && n.receiverType === d.receiverType && n.route === routeOf(d.receiverType, d.channel))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: a withdrawal never notices a receiver whose deliveries all relied on other consents', () => {
    fc.assert(
      fc.property(fc.array(deliveryArb, { maxLength: 12 }), fc.constantFrom(...PURPOSES), (deliveries, purpose) => {
        for (const due of retractionsDue(deliveries, [], withdrawn(purpose))) {
          const theirs = deliveries.filter((d) => d.receiver === due.receiver && d.receiverType === due.receiverType && due.channels.includes(d.channel));
          expect(theirs.some((d) => purposeOfChannel(d.channel) === null || purposeOfChannel(d.channel) === purpose)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
