import fc from 'fast-check';
import { type BorderAgreement, checkArrival } from '@puente/federation';
import { REFERRAL_ACTIONS } from '../referrals/referral-state-machine';
import { REFERRAL_CASE_FIELDS } from '../referrals/case-facts';
import { arrivalOfRequest, decideReferralCrossing, forwardsTransition, readUpdate, type ReferralBorderFacts } from './cross-border-rules';

const view = { caseId: 'c1', coveredPersonIds: ['p1'], ageBand: '18-59', sex: 'female', nationality: 'HN', country: 'GT', site: 'GT-MRC-01', householdSize: 1, flags: ['fear_of_return'], riskLevel: 'high' };
const facts: ReferralBorderFacts = { nationality: 'HN', flags: ['fear_of_return'], pathway: 'asylum', consentedFields: [...REFERRAL_CASE_FIELDS] };
const mx: BorderAgreement = { node: 'MX', kinds: ['referral'], fields: { referral: ['ageBand', 'sex', 'nationality', 'flags'] } };

describe('decideReferralCrossing', () => {
  it('sends the case minimized again to the node agreement, ids always', () => {
    const d = decideReferralCrossing(facts, mx, view);
    expect(d).toEqual({ allowed: true, overridden: false, fields: ['caseId', 'coveredPersonIds', 'ageBand', 'sex', 'nationality', 'flags'], view: { caseId: 'c1', coveredPersonIds: ['p1'], ageBand: '18-59', sex: 'female', nationality: 'HN', flags: ['fear_of_return'] } });
  });

  it('refuses without a node agreement for referrals, without a referral consent, and toward the nationality under protection', () => {
    expect(decideReferralCrossing(facts, { ...mx, kinds: ['match-keys'] }, view)).toEqual({ allowed: false, reason: 'no-agreement' });
    expect(decideReferralCrossing({ ...facts, consentedFields: null }, mx, view)).toEqual({ allowed: false, reason: 'no-consent' });
    expect(decideReferralCrossing(facts, { ...mx, node: 'HN' }, view)).toEqual({ allowed: false, reason: 'protection-block' });
    // A referral to an asylum program is an asylum claim: blocked toward the nationality even without a flag.
    expect(decideReferralCrossing({ ...facts, flags: [] }, { ...mx, node: 'HN' }, view)).toEqual({ allowed: false, reason: 'protection-block' });
    expect(decideReferralCrossing({ ...facts, flags: [], pathway: 'shelter' }, { ...mx, node: 'HN' }, view).allowed).toBe(true);
  });

  it('never sends a field outside view ∩ agreement (ids aside), and what it sends passes the host’s own check under the same agreement', () => {
    const fieldsArb = fc.subarray([...REFERRAL_CASE_FIELDS]);
    fc.assert(
      fc.property(fieldsArb, fc.option(fieldsArb, { nil: undefined }), fc.constantFrom('HN', 'MX', 'SV', null), fc.subarray(['fear_of_return', 'trafficking_indicators']), (viewFields, agreed, nationality, flags) => {
        const v = Object.fromEntries(viewFields.map((f) => [f, (view as Record<string, unknown>)[f]]));
        const agreement: BorderAgreement = { node: 'MX', kinds: ['referral'], fields: agreed ? { referral: agreed } : undefined, protectionFlags: ['trafficking_indicators'] };
        const d = decideReferralCrossing({ ...facts, nationality, flags, pathway: 'shelter' }, agreement, v);
        if (!d.allowed) {
          expect(nationality).toBe('MX');
          return;
        }
        for (const f of d.fields) {
          expect(viewFields).toContain(f);
          if (f !== 'caseId' && f !== 'coveredPersonIds' && agreed) expect(agreed).toContain(f);
        }
        expect(Object.keys(d.view).sort()).toEqual([...d.fields].sort());
        const border = { nationalities: nationality ? [nationality] : [], fearOfReturn: flags.includes('fear_of_return'), asylumClaim: false, protectionFlags: flags, protectionOverride: false };
        for (const arrival of arrivalOfRequest({ fields: d.fields, border })) {
          expect(checkArrival('referral', arrival, { node: 'MX', fields: agreement.fields, protectionFlags: agreement.protectionFlags })).toBeNull();
        }
      }),
    );
  });
});

describe('arrivalOfRequest', () => {
  it('is refused by the host when any person covered is its national under protection, or fields exceed its agreement', () => {
    const border = { nationalities: ['HN', 'MX'], fearOfReturn: true, asylumClaim: false, protectionFlags: [], protectionOverride: false };
    const arrivals = arrivalOfRequest({ fields: ['caseId', 'ageBand'], border });
    expect(arrivals.map((a) => checkArrival('referral', a, { node: 'MX' }))).toEqual([null, 'protection-block']);
    expect(arrivalOfRequest({ fields: ['caseId', 'ageBand', 'sex'], border: { ...border, nationalities: ['HN'] } }).map((a) => checkArrival('referral', a, { node: 'MX', fields: { referral: ['ageBand'] } }))).toEqual(['beyond-agreement']);
  });
});

describe('forwardsTransition', () => {
  it('forwards every local transition to the other side, never one that came from there, and no SLA expiry at the origin', () => {
    for (const action of REFERRAL_ACTIONS) {
      expect(forwardsTransition('inbound', action, true)).toBe(false);
      expect(forwardsTransition('outbound', action, true)).toBe(false);
      expect(forwardsTransition('inbound', action, false)).toBe(true);
      expect(forwardsTransition('outbound', action, false)).toBe(action !== 'expire');
    }
  });
});

describe('readUpdate', () => {
  const u = { action: 'complete', reason: 'services_delivered', milestone: 'decision', outcome: 'status_granted', actorRole: 'partner' };
  it('reads a valid update from the host and refuses codes the state machine does not know', () => {
    expect(readUpdate(u, 'outbound')).toEqual({ action: 'complete', reason: 'services_delivered', milestone: 'decision', outcome: 'status_granted', role: 'partner' });
    expect(readUpdate({ ...u, action: 'teleport' }, 'outbound')).toBeNull();
    expect(readUpdate({ ...u, reason: 'because' }, 'outbound')).toBeNull();
    expect(readUpdate({ ...u, milestone: 'moon_landing' }, 'outbound')).toBeNull();
    expect(readUpdate({ ...u, outcome: 'great' }, 'outbound')).toBeNull();
    expect(readUpdate({ ...u, actorRole: 'admin' }, 'outbound')).toBeNull();
  });
  it('takes from each side only what that side may do: the host does not act as the referrer, nor the origin as the partner', () => {
    expect(readUpdate({ ...u, actorRole: 'referrer' }, 'outbound')).toBeNull();
    expect(readUpdate(u, 'inbound')).toBeNull();
    expect(readUpdate({ action: 'cancel', reason: 'consent_withdrawn', milestone: '', outcome: '', actorRole: 'system' }, 'inbound')).toEqual({ action: 'cancel', reason: 'consent_withdrawn', role: 'system' });
  });
});
