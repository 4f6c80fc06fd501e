import { MessageKind, ReferralMilestone, ReferralOutcome, ReferralStatus, ReferralStatusReason } from '@puente/contracts';
import { enumOf, milestoneEnum, outcomeEnum, reasonEnum, statusEnum, TRANSITION_EVENTS } from './referral-events';
import { ALL_MILESTONES, REFERRAL_ACTIONS, REFERRAL_OUTCOMES, REFERRAL_STATUSES, STATUS_REASONS } from './referral-state-machine';
import { MESSAGE_KINDS } from './referral.entities';

describe('referral codes in the contract', () => {
  it('has one distinct contract value for every status, reason, milestone, outcome and message kind', () => {
    const distinct = (codes: readonly string[], map: (c: string) => number) => new Set(codes.map(map)).size;
    expect(distinct(REFERRAL_STATUSES, (s) => statusEnum(s as never))).toBe(REFERRAL_STATUSES.length);
    expect(distinct(STATUS_REASONS, reasonEnum)).toBe(STATUS_REASONS.length);
    expect(distinct(ALL_MILESTONES, milestoneEnum)).toBe(ALL_MILESTONES.length);
    expect(distinct(REFERRAL_OUTCOMES, outcomeEnum)).toBe(REFERRAL_OUTCOMES.length);
    expect(distinct(MESSAGE_KINDS, (k) => enumOf(MessageKind, k))).toBe(MESSAGE_KINDS.length);
    // Every contract value (but UNSPECIFIED) is a code the service uses: nothing in the contract is dead.
    const used = (e: Record<string, string | number>) => Object.keys(e).filter((k) => Number.isNaN(Number(k)) && k !== 'UNSPECIFIED').sort();
    expect(used(ReferralStatus)).toEqual(REFERRAL_STATUSES.map((c) => c.toUpperCase()).sort());
    expect(used(ReferralStatusReason)).toEqual(STATUS_REASONS.map((c) => c.toUpperCase()).sort());
    expect(used(ReferralMilestone)).toEqual(ALL_MILESTONES.map((c) => c.toUpperCase()).sort());
    expect(used(ReferralOutcome)).toEqual(REFERRAL_OUTCOMES.map((c) => c.toUpperCase()).sort());
  });

  it('refuses a code the contract does not know, and maps null to UNSPECIFIED', () => {
    expect(() => reasonEnum('felt_like_it')).toThrow(/no contract value/);
    expect(milestoneEnum(null)).toBe(ReferralMilestone.UNSPECIFIED);
  });

  it('has an event for every action', () => {
    for (const action of REFERRAL_ACTIONS) expect(TRANSITION_EVENTS[action].typeName).toMatch(/^puente\.referral\.v1\.Referral/);
  });
});
