import fc from 'fast-check';
import {
  ACTION_RULES,
  availableActions,
  decide,
  FINAL_STATUSES,
  initialState,
  isFinal,
  isRepeat,
  milestonesOf,
  PATHWAY_MILESTONES,
  REFERRAL_ACTIONS,
  REFERRAL_OUTCOMES,
  REFERRAL_ROLES,
  REFERRAL_STATUSES,
  type ReferralAction,
  type ReferralRole,
  type ReferralState,
  type ReferralStatus,
  type TransitionRequest,
} from './referral-state-machine';

// The lifecycle written out by hand, independently of ACTION_RULES: `from action → to` for the
// role allowed to act (resume goes back to the held status, tested separately).
const EXPECTED: Record<string, ReferralStatus> = {
  'requested send': 'sent',
  'requested receive': 'received',
  'requested cancel': 'cancelled',
  'requested fail': 'failed',
  'requested expire': 'expired',
  'sent receive': 'received',
  'sent accept': 'accepted',
  'sent reject': 'rejected',
  'sent cancel': 'cancelled',
  'sent expire': 'expired',
  'received accept': 'accepted',
  'received reject': 'rejected',
  'received hold': 'on_hold',
  'received cancel': 'cancelled',
  'received expire': 'expired',
  'accepted start': 'in_progress',
  'accepted hold': 'on_hold',
  'accepted complete': 'completed',
  'accepted cancel': 'cancelled',
  'in_progress hold': 'on_hold',
  'in_progress progress': 'in_progress',
  'in_progress complete': 'completed',
  'in_progress cancel': 'cancelled',
  'on_hold resume': 'received',
  'on_hold reject': 'rejected',
  'on_hold cancel': 'cancelled',
};
const ROLE_OF: Record<ReferralAction, readonly ReferralRole[]> = {
  send: ['system'],
  receive: ['partner'],
  accept: ['partner'],
  reject: ['partner'],
  start: ['partner'],
  hold: ['partner', 'referrer'],
  resume: ['partner', 'referrer'],
  progress: ['partner'],
  complete: ['partner'],
  cancel: ['referrer', 'system'],
  fail: ['system'],
  expire: ['system'],
  mark_in_error: ['referrer'],
};

function stateIn(status: ReferralStatus, pathway: string | null = 'cam'): ReferralState {
  return { status, heldFrom: status === 'on_hold' ? 'received' : null, pathway, businessStatus: null };
}

/** A request that is valid in every respect but the status: first reason, a milestone and outcome where needed. */
function validRequest(action: ReferralAction, role: ReferralRole, pathway: string | null = 'cam'): TransitionRequest {
  return {
    action,
    role,
    reason: ACTION_RULES[action].reasons[0],
    milestone: action === 'progress' ? milestonesOf(pathway)[0] : undefined,
    outcome: action === 'complete' ? 'services_delivered' : undefined,
  };
}

describe('referral state machine', () => {
  describe('every status × every action × every role', () => {
    for (const from of REFERRAL_STATUSES) {
      for (const action of REFERRAL_ACTIONS) {
        it(`${from} ─${action}→`, () => {
          for (const role of REFERRAL_ROLES) {
            const result = decide(stateIn(from), validRequest(action, role));
            if (!ROLE_OF[action].includes(role)) {
              expect(result).toMatchObject({ ok: false, code: 'actor_not_allowed', role, action });
              continue;
            }
            const expected = action === 'mark_in_error' ? (from === 'entered_in_error' ? undefined : 'entered_in_error') : EXPECTED[`${from} ${action}`];
            if (expected === undefined) expect(result).toEqual({ ok: false, code: 'illegal_transition', from, action });
            else expect(result).toMatchObject({ ok: true, changed: true, state: { status: expected } });
          }
        });
      }
    }
  });

  it('requires a reason code of the action, never free text or another action’s code', () => {
    expect(decide(stateIn('sent'), { action: 'reject', role: 'partner', reason: 'the person seemed fine' })).toMatchObject({
      ok: false,
      code: 'invalid_input',
      field: 'reason',
      allowed: ACTION_RULES.reject.reasons,
    });
    expect(decide(stateIn('sent'), { action: 'reject', role: 'partner', reason: 'meets_criteria' })).toMatchObject({ ok: false, field: 'reason' });
    for (const action of REFERRAL_ACTIONS) {
      for (const reason of ACTION_RULES[action].reasons) {
        const from = ACTION_RULES[action].from[0];
        const result = decide(stateIn(from), { ...validRequest(action, ROLE_OF[action][0]), reason });
        expect(result.ok).toBe(true);
      }
    }
  });

  it('resumes a held referral to the status it was held from', () => {
    for (const from of ['received', 'accepted', 'in_progress'] as const) {
      const held = decide(stateIn(from), validRequest('hold', 'partner'));
      expect(held).toMatchObject({ ok: true, state: { status: 'on_hold', heldFrom: from } });
      if (!held.ok) throw new Error('unreachable');
      expect(decide(held.state, validRequest('resume', 'referrer'))).toMatchObject({ ok: true, state: { status: from, heldFrom: null } });
    }
  });

  it('moves businessStatus forward along the pathway’s milestones only', () => {
    let state: ReferralState = { ...stateIn('in_progress'), pathway: 'cam' };
    for (const milestone of ['petition_filed', 'interview', 'decision', 'travel']) {
      const result = decide(state, { action: 'progress', role: 'partner', reason: 'milestone_reached', milestone });
      expect(result).toMatchObject({ ok: true, state: { businessStatus: milestone, status: 'in_progress' } });
      if (result.ok) state = result.state;
    }
    const back = decide({ ...state, businessStatus: 'decision' }, { action: 'progress', role: 'partner', reason: 'milestone_reached', milestone: 'interview' });
    expect(back).toEqual({ ok: false, code: 'invalid_input', field: 'milestone', allowed: ['travel'] });
    // Another pathway's milestone, and progress without one.
    expect(decide(stateIn('in_progress', 'pta'), { action: 'progress', role: 'partner', reason: 'milestone_reached', milestone: 'petition_filed' })).toMatchObject({
      ok: false,
      field: 'milestone',
      allowed: ['pre_screening', 'relocation', 'resettlement_interview'],
    });
    expect(decide(stateIn('in_progress'), { action: 'progress', role: 'partner', reason: 'milestone_reached' })).toMatchObject({ ok: false, field: 'milestone' });
    // Milestones only on start, progress and complete.
    expect(decide(stateIn('sent'), { action: 'accept', role: 'partner', reason: 'meets_criteria', milestone: 'petition_filed' })).toMatchObject({ ok: false, field: 'milestone', allowed: [] });
    expect(milestonesOf('asylum')).toEqual(['claim_registered', 'interview', 'decision']);
    expect(milestonesOf('shelter')).toEqual(['assessment', 'service_plan', 'services_delivered']);
  });

  it('needs an outcome to complete, and only there', () => {
    expect(decide(stateIn('in_progress'), { action: 'complete', role: 'partner', reason: 'services_delivered' })).toMatchObject({ ok: false, field: 'outcome', allowed: REFERRAL_OUTCOMES });
    expect(decide(stateIn('in_progress'), { action: 'complete', role: 'partner', reason: 'services_delivered', outcome: 'fine' })).toMatchObject({ ok: false, field: 'outcome' });
    expect(decide(stateIn('sent'), { action: 'accept', role: 'partner', reason: 'meets_criteria', outcome: 'status_granted' })).toMatchObject({ ok: false, field: 'outcome' });
    expect(decide(stateIn('in_progress'), { action: 'complete', role: 'partner', reason: 'pathway_decision_issued', outcome: 'status_granted', milestone: 'decision' })).toMatchObject({
      ok: true,
      state: { status: 'completed', businessStatus: 'decision' },
    });
  });

  it('recognizes a repeated callback', () => {
    expect(isRepeat(stateIn('received'), { action: 'receive' })).toBe(true);
    expect(isRepeat(stateIn('accepted'), { action: 'accept' })).toBe(true);
    expect(isRepeat(stateIn('rejected'), { action: 'accept' })).toBe(false);
    expect(isRepeat({ ...stateIn('in_progress'), businessStatus: 'interview' }, { action: 'progress', milestone: 'interview' })).toBe(true);
    expect(isRepeat(stateIn('on_hold'), { action: 'resume' })).toBe(false);
  });

  it('offers each role the actions it may take', () => {
    expect(availableActions({ status: 'sent' }, 'partner')).toEqual(['receive', 'accept', 'reject']);
    expect(availableActions({ status: 'sent' }, 'referrer')).toEqual(['cancel', 'mark_in_error']);
    expect(availableActions({ status: 'completed' }, 'partner')).toEqual([]);
    expect(availableActions({ status: 'entered_in_error' }, 'referrer')).toEqual([]);
  });

  describe('properties', () => {
    const pathway = fc.constantFrom<string | null>(null, 'shelter', ...Object.keys(PATHWAY_MILESTONES));
    interface Step {
      action: ReferralAction;
      role: ReferralRole;
      reasonPick: number;
      milestonePick: number;
      outcome: string;
    }
    const step: fc.Arbitrary<Step> = fc.record({
      action: fc.constantFrom(...REFERRAL_ACTIONS),
      role: fc.constantFrom(...REFERRAL_ROLES),
      reasonPick: fc.nat(),
      milestonePick: fc.nat(),
      outcome: fc.constantFrom(...REFERRAL_OUTCOMES),
    });

    /** Turns a random step into a request, usually a well-formed one. */
    function requestOf(state: ReferralState, s: Step): TransitionRequest {
      const reasons = ACTION_RULES[s.action].reasons;
      const list = milestonesOf(state.pathway);
      return {
        action: s.action,
        role: s.role,
        reason: reasons[s.reasonPick % reasons.length],
        milestone: s.action === 'progress' ? list[s.milestonePick % list.length] : undefined,
        outcome: s.action === 'complete' ? s.outcome : undefined,
      };
    }

    it('any walk keeps the invariants: known statuses, holds remember where they came from, final states absorb, milestones never go back', () => {
      fc.assert(
        fc.property(pathway, fc.array(step, { maxLength: 40 }), (p, steps) => {
          let state = initialState(p);
          for (const s of steps) {
            const before = state;
            const result = decide(state, requestOf(state, s));
            if (!result.ok) {
              // A refusal changes nothing; an illegal one is exactly a status outside the rule's `from`.
              if (result.code === 'illegal_transition') expect(ACTION_RULES[s.action].from).not.toContain(state.status);
              continue;
            }
            state = result.state;
            expect(REFERRAL_STATUSES).toContain(state.status);
            expect(state.heldFrom !== null).toBe(state.status === 'on_hold');
            if (isFinal(before.status)) expect(state.status).toBe('entered_in_error');
            expect(before.status).not.toBe('entered_in_error');
            const list = milestonesOf(p);
            const at = (m: string | null) => (m === null ? -1 : list.indexOf(m));
            expect(at(state.businessStatus)).toBeGreaterThanOrEqual(at(before.businessStatus));
            if (state.businessStatus !== null) expect(list).toContain(state.businessStatus);
          }
        }),
        { numRuns: 2_000 },
      );
    });

    it('entered_in_error absorbs everything; other final states lead only there', () => {
      fc.assert(
        fc.property(fc.constantFrom(...FINAL_STATUSES), step, (status, s) => {
          const state = stateIn(status);
          const result = decide(state, requestOf(state, s));
          if (result.ok) {
            expect(status).not.toBe('entered_in_error');
            expect(result.state.status).toBe('entered_in_error');
          }
        }),
        { numRuns: 1_000 },
      );
    });

    it('a completed referral always passed through accepted', () => {
      fc.assert(
        fc.property(pathway, fc.array(step, { maxLength: 40 }), (p, steps) => {
          let state = initialState(p);
          const seen = new Set<ReferralStatus>([state.status]);
          for (const s of steps) {
            const result = decide(state, requestOf(state, s));
            if (!result.ok) continue;
            state = result.state;
            seen.add(state.status);
            if (state.status === 'completed') expect(seen.has('accepted')).toBe(true);
            if (state.status === 'accepted' || state.status === 'rejected') expect(seen.has('sent') || seen.has('received')).toBe(true);
          }
        }),
        { numRuns: 1_000 },
      );
    });
  });
});
