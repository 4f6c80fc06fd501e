import fc from 'fast-check';
import { type BorderAgreement, type BorderSubject, checkArrival, decideCrossing, protectionBlocks } from './border-rules';
import { AGREEABLE_KINDS, EXCHANGE_KINDS, type ExchangeKind } from './exchange-kinds';

const PURPOSES = ['identity_matching', 'referral', 'cross_border_transfer', 'screening'];
const FIELDS = ['matchKeys', 'ageBand', 'sex', 'nationality', 'flags'];
const NODES = ['GT', 'MX', 'HN', 'SV'];
const FLAGS = ['trafficking_indicators', 'survivor_of_violence', 'lgbtqi'];

const subjectArb: fc.Arbitrary<BorderSubject> = fc.record({
  nationality: fc.option(fc.constantFrom(...NODES), { nil: null }),
  fearOfReturn: fc.boolean(),
  asylumClaim: fc.boolean(),
  protectionFlags: fc.subarray(FLAGS),
  consents: fc.array(fc.record({ purpose: fc.constantFrom(...PURPOSES), fields: fc.option(fc.subarray(FIELDS), { nil: undefined }) }), { maxLength: 3 }),
  sentTo: fc.subarray(NODES),
  overrides: fc.array(fc.record({ node: fc.constantFrom(...NODES), kind: fc.constantFrom(...AGREEABLE_KINDS) }), { maxLength: 2 }),
});
const agreementArb: fc.Arbitrary<BorderAgreement> = fc.record({
  node: fc.constantFrom(...NODES),
  kinds: fc.subarray(AGREEABLE_KINDS),
  fields: fc.option(fc.dictionary(fc.constantFrom(...AGREEABLE_KINDS), fc.subarray(FIELDS)), { nil: undefined }) as fc.Arbitrary<BorderAgreement['fields']>,
  protectionFlags: fc.option(fc.subarray(FLAGS), { nil: undefined }),
});

const plain: BorderSubject = { nationality: 'HN', fearOfReturn: false, asylumClaim: false, protectionFlags: [], consents: [], sentTo: [], overrides: [] };
const allKinds = (node: string): BorderAgreement => ({ node, kinds: [...AGREEABLE_KINDS], protectionFlags: ['trafficking_indicators'] });
const consentFor = (kind: ExchangeKind) => (EXCHANGE_KINDS[kind].consentPurpose ? [{ purpose: EXCHANGE_KINDS[kind].consentPurpose as string }] : []);
// Kinds that carry something about a person under a consent (retractions and audit checkpoints need none).
const sendingKinds = AGREEABLE_KINDS.filter((k) => EXCHANGE_KINDS[k].consentPurpose !== null);

describe('border rules', () => {
  describe.each(sendingKinds)('%s', (kind) => {
    const consented = { ...plain, consents: consentFor(kind) };

    it('crosses with its consent and the agreement', () => {
      expect(decideCrossing(kind, consented, allKinds('MX'), ['matchKeys'])).toEqual({ allowed: true, fields: ['matchKeys'], overridden: false });
    });

    it('does not cross without an agreement for the kind with that node', () => {
      expect(decideCrossing(kind, consented, { node: 'MX', kinds: AGREEABLE_KINDS.filter((k) => k !== kind) }, ['matchKeys'])).toEqual({ allowed: false, reason: 'no-agreement' });
    });

    it('does not cross without a consent for its purpose', () => {
      const otherConsents = PURPOSES.filter((p) => p !== EXCHANGE_KINDS[kind].consentPurpose).map((purpose) => ({ purpose }));
      expect(decideCrossing(kind, { ...plain, consents: otherConsents }, allKinds('MX'), ['matchKeys'])).toEqual({ allowed: false, reason: 'no-consent' });
    });

    it.each([
      ['a fear of return', { fearOfReturn: true }],
      ['an asylum claim', { asylumClaim: true }],
      ['a protection flag the agreement names', { protectionFlags: ['trafficking_indicators'] }],
    ])('a Honduran with %s is never sent to HN, but is to MX', (_what, protection) => {
      const person = { ...consented, ...protection };
      expect(decideCrossing(kind, person, allKinds('HN'), ['matchKeys'])).toEqual({ allowed: false, reason: 'protection-block' });
      expect(decideCrossing(kind, person, allKinds('MX'), ['matchKeys'])).toMatchObject({ allowed: true });
    });

    it('a protection flag the agreement does not name does not block', () => {
      expect(decideCrossing(kind, { ...consented, protectionFlags: ['lgbtqi'] }, allKinds('HN'), ['matchKeys'])).toMatchObject({ allowed: true });
    });

    it('an override recorded for that node and kind lets it cross, marked as overridden; one for another kind does not', () => {
      const person = { ...consented, fearOfReturn: true };
      const other = AGREEABLE_KINDS.find((k) => k !== kind) as ExchangeKind;
      expect(decideCrossing(kind, { ...person, overrides: [{ node: 'HN', kind }] }, allKinds('HN'), ['matchKeys'])).toEqual({ allowed: true, fields: ['matchKeys'], overridden: true });
      expect(decideCrossing(kind, { ...person, overrides: [{ node: 'HN', kind: other }, { node: 'MX', kind }] }, allKinds('HN'), ['matchKeys'])).toEqual({
        allowed: false,
        reason: 'protection-block',
      });
    });
  });

  it.each(['match-keys-retraction', 'retraction', 'referral-retraction'] as const)('a %s goes exactly to the nodes that received something, whatever consent, agreement or protection status', (kind) => {
    fc.assert(
      fc.property(subjectArb, agreementArb, (subject, agreement) => {
        const d = decideCrossing(kind, subject, agreement, ['matchKeys']);
        expect(d.allowed).toBe(subject.sentTo.includes(agreement.node));
      }),
    );
  });

  it('properties for every kind: crossing implies agreement, consent, no unlifted block; fields = requested ∩ agreement ∩ consent', () => {
    fc.assert(
      fc.property(fc.constantFrom(...sendingKinds), subjectArb, agreementArb, fc.subarray(FIELDS), (kind, subject, agreement, requested) => {
        const d = decideCrossing(kind, subject, agreement, requested);
        const consent = subject.consents.find((c) => c.purpose === EXCHANGE_KINDS[kind].consentPurpose);
        const blocked = protectionBlocks(subject, agreement) && !subject.overrides.some((o) => o.node === agreement.node && o.kind === kind);
        expect(d.allowed).toBe(agreement.kinds.includes(kind) && consent !== undefined && !blocked);
        if (!d.allowed) return;
        const agreed = agreement.fields?.[kind];
        for (const f of FIELDS) {
          const expected = requested.includes(f) && (!agreed || agreed.includes(f)) && (!consent?.fields || consent.fields.includes(f));
          expect(d.fields.includes(f)).toBe(expected);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the protection block concerns only the node of the nationality', () => {
    fc.assert(
      fc.property(subjectArb, agreementArb, (subject, agreement) => {
        if (subject.nationality !== agreement.node) expect(protectionBlocks(subject, agreement)).toBe(false);
      }),
    );
  });
});

describe('checkArrival (the receiving node)', () => {
  const person = { nationality: 'HN', fearOfReturn: false, asylumClaim: false, protectionFlags: [] as string[] };
  const mx = { node: 'MX', fields: { referral: ['ageBand', 'flags'] }, protectionFlags: ['trafficking_indicators'] };

  it.each(sendingKinds)('%s: fields the agreement does not name are refused, fields it names pass', (kind) => {
    const agreement = { node: 'MX', fields: { [kind]: ['ageBand'] } };
    expect(checkArrival(kind, { fields: ['ageBand', 'givenNames'], subject: person, overridden: false }, agreement)).toBe('beyond-agreement');
    expect(checkArrival(kind, { fields: ['ageBand'], subject: person, overridden: false }, agreement)).toBeNull();
  });

  it.each(sendingKinds)('%s: a national of the receiving node under protection is refused unless the sender overrode', (kind) => {
    const national = { ...person, nationality: 'MX', protectionFlags: ['trafficking_indicators'] };
    expect(checkArrival(kind, { fields: [], subject: national, overridden: false }, mx)).toBe('protection-block');
    expect(checkArrival(kind, { fields: [], subject: national, overridden: true }, mx)).toBeNull();
    expect(checkArrival(kind, { fields: [], subject: { ...national, nationality: 'HN' }, overridden: false }, mx)).toBeNull();
  });

  it('is decideCrossing seen from the other side: what the sender lets through, an agreement naming the same fields accepts', () => {
    fc.assert(
      fc.property(subjectArb, agreementArb, fc.subarray(FIELDS), fc.constantFrom(...sendingKinds), (subject, agreement, fields, kind) => {
        const sent = decideCrossing(kind, subject, agreement, fields);
        if (!sent.allowed) return;
        const arrival = checkArrival(kind, { fields: sent.fields, subject, overridden: sent.overridden }, { node: agreement.node, fields: agreement.fields, protectionFlags: agreement.protectionFlags });
        expect(arrival).toBeNull();
      }),
    );
  });
});
