// The life of a referral, modelled on FHIR Task (status, statusReason, businessStatus):
//
//   requested ─send─▶ sent ─receive─▶ received ─accept─▶ accepted ─start─▶ in_progress ─complete─▶ completed
//       │               │                 │                 │                  │
//       │               └──────accept─────┤                 ├──complete────────┤ (progress: milestone, same status)
//       │                                 └─reject─▶ rejected                  │
//       ├─fail─▶ failed  (delivery gave up)                                    │
//       ├─expire─▶ expired  (acknowledge/decide SLA missed)                    │
//       └─cancel─▶ cancelled (referring site, any open state)                  │
//   received | accepted | in_progress ─hold─▶ on_hold ─resume─▶ (the state it was held from)
//   any state ─mark_in_error─▶ entered_in_error (a referral that should never have existed)
//
// Pure: no clock, no database. The service locks the row, asks `decide`, writes the result and
// its event in one transaction.

export const REFERRAL_STATUSES = [
  'requested',
  'sent',
  'received',
  'accepted',
  'rejected',
  'in_progress',
  'on_hold',
  'completed',
  'cancelled',
  'failed',
  'expired',
  'entered_in_error',
] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** States nothing moves out of, except to entered_in_error. */
export const FINAL_STATUSES: readonly ReferralStatus[] = ['completed', 'rejected', 'cancelled', 'failed', 'expired', 'entered_in_error'];
/** States a referral can be held from (and resumed to). */
export const HOLDABLE_STATUSES = ['received', 'accepted', 'in_progress'] as const;
export type HoldableStatus = (typeof HOLDABLE_STATUSES)[number];
/** States in which the program's slot is reserved for the referral. */
export const SLOT_HOLDING_STATUSES: readonly ReferralStatus[] = ['accepted', 'in_progress'];

export const REFERRAL_ACTIONS = [
  'send',
  'receive',
  'accept',
  'reject',
  'start',
  'hold',
  'resume',
  'progress',
  'complete',
  'cancel',
  'fail',
  'expire',
  'mark_in_error',
] as const;
export type ReferralAction = (typeof REFERRAL_ACTIONS)[number];

/**
 * Who acts: the referring site's caseworker (`referrer`), the receiving partner (`partner`) or
 * Puente itself (`system`: delivery, SLA timers).
 */
export const REFERRAL_ROLES = ['referrer', 'partner', 'system'] as const;
export type ReferralRole = (typeof REFERRAL_ROLES)[number];

interface ActionRule {
  from: readonly ReferralStatus[];
  /** The status after the action; `held` = the status recorded when it was put on hold; `same` = unchanged. */
  to: ReferralStatus | 'held' | 'same';
  roles: readonly ReferralRole[];
  /** Coded status reasons accepted for the action (FHIR Task.statusReason); never free text. */
  reasons: readonly string[];
}

const OPEN_BEFORE_DECISION: readonly ReferralStatus[] = ['requested', 'sent', 'received'];
const ALL_BUT_ERROR = REFERRAL_STATUSES.filter((s) => s !== 'entered_in_error');

export const ACTION_RULES = {
  send: { from: ['requested'], to: 'sent', roles: ['system'], reasons: ['webhook_delivered', 'kafka_published', 'available_for_pull'] },
  receive: { from: ['requested', 'sent'], to: 'received', roles: ['partner'], reasons: ['acknowledged'] },
  accept: {
    from: ['sent', 'received'],
    to: 'accepted',
    roles: ['partner'],
    reasons: ['meets_criteria', 'urgent_protection_need', 'capacity_available'],
  },
  reject: {
    from: ['sent', 'received', 'on_hold'],
    to: 'rejected',
    roles: ['partner'],
    reasons: [
      'not_eligible',
      'no_capacity',
      'outside_service_area',
      'duplicate_referral',
      'insufficient_information',
      'person_unreachable',
      'declined_by_person',
      'other_program_more_suitable',
    ],
  },
  start: { from: ['accepted'], to: 'in_progress', roles: ['partner'], reasons: ['services_started', 'procedure_opened'] },
  hold: {
    from: HOLDABLE_STATUSES,
    to: 'on_hold',
    roles: ['partner', 'referrer'],
    reasons: ['awaiting_information', 'awaiting_documents', 'waitlisted', 'person_unavailable', 'security_incident'],
  },
  resume: {
    from: ['on_hold'],
    to: 'held',
    roles: ['partner', 'referrer'],
    reasons: ['information_received', 'documents_received', 'capacity_available', 'person_available', 'incident_resolved'],
  },
  progress: { from: ['in_progress'], to: 'same', roles: ['partner'], reasons: ['milestone_reached'] },
  complete: {
    from: ['accepted', 'in_progress'],
    to: 'completed',
    roles: ['partner'],
    reasons: ['services_delivered', 'pathway_decision_issued', 'person_relocated', 'closed_by_partner'],
  },
  cancel: {
    from: [...OPEN_BEFORE_DECISION, 'accepted', 'in_progress', 'on_hold'],
    to: 'cancelled',
    roles: ['referrer', 'system'],
    reasons: ['consent_withdrawn', 'declined_by_person', 'case_closed', 'person_erased', 'duplicate_referral', 'referred_elsewhere', 'person_departed'],
  },
  fail: { from: ['requested'], to: 'failed', roles: ['system'], reasons: ['delivery_attempts_exhausted', 'endpoint_refused'] },
  expire: { from: OPEN_BEFORE_DECISION, to: 'expired', roles: ['system'], reasons: ['acknowledge_sla_missed', 'decision_sla_missed'] },
  mark_in_error: { from: ALL_BUT_ERROR, to: 'entered_in_error', roles: ['referrer'], reasons: ['created_in_error', 'wrong_case', 'wrong_program'] },
} as const satisfies Record<ReferralAction, ActionRule>;

export type ReasonOf<A extends ReferralAction> = (typeof ACTION_RULES)[A]['reasons'][number];
export type StatusReason = ReasonOf<ReferralAction>;

/** Why a referral was requested (its first status reason). */
export const REQUEST_REASONS = ['caseworker_referral', 'routing_suggestion', 'urgent_protection_auto', 'sub_referral'] as const;
export type RequestReason = (typeof REQUEST_REASONS)[number];

/** Every status reason code, for validation and the contract. */
export const STATUS_REASONS: readonly (StatusReason | RequestReason)[] = [
  ...new Set([...REQUEST_REASONS, ...REFERRAL_ACTIONS.flatMap((a) => ACTION_RULES[a].reasons as readonly StatusReason[])]),
];

/** Outcome of a completed referral (FHIR Task.output), coded. */
export const REFERRAL_OUTCOMES = [
  'services_delivered',
  'status_granted',
  'status_denied',
  'person_relocated',
  'person_travelled',
  'person_withdrew',
  'closed_without_service',
] as const;
export type ReferralOutcome = (typeof REFERRAL_OUTCOMES)[number];

// businessStatus milestones, in the order a pathway moves through them (keys: the directory's
// pathway codes). A program whose pathway has no list of its own uses SERVICE_MILESTONES.
export const SERVICE_MILESTONES = ['assessment', 'service_plan', 'services_delivered'] as const;
export const PATHWAY_MILESTONES: Readonly<Record<string, readonly string[]>> = {
  asylum: ['claim_registered', 'interview', 'decision'],
  resettlement: ['case_submitted', 'interview', 'decision', 'departure'],
  cam: ['petition_filed', 'interview', 'decision', 'travel'],
  pta: ['pre_screening', 'relocation', 'resettlement_interview'],
  family_reunification: ['application_filed', 'relationship_verified', 'decision', 'travel'],
  labor_h2a: ['candidate_registered', 'employer_matched', 'visa_interview', 'departure'],
  labor_h2b: ['candidate_registered', 'employer_matched', 'visa_interview', 'departure'],
  third_country_labor: ['candidate_registered', 'employer_matched', 'visa_issued', 'departure'],
  assisted_voluntary_return: ['return_counselling', 'travel_documents', 'departure', 'arrival'],
  idp_protection: ['protection_assessment', 'protection_plan', 'relocation'],
  child_protection: ['best_interests_assessment', 'care_arrangement', 'best_interests_determination'],
};

export function milestonesOf(pathway: string | null | undefined): readonly string[] {
  return (pathway && PATHWAY_MILESTONES[pathway]) || SERVICE_MILESTONES;
}

/** Every milestone code of any pathway. */
export const ALL_MILESTONES: readonly string[] = [...new Set([...Object.values(PATHWAY_MILESTONES).flat(), ...SERVICE_MILESTONES])];

/** What the state machine knows of a referral. */
export interface ReferralState {
  status: ReferralStatus;
  /** The status it was held from, while on_hold. */
  heldFrom: HoldableStatus | null;
  /** The pathway of the program (decides the milestones). */
  pathway: string | null;
  /** The latest milestone reached (FHIR Task.businessStatus), or null. */
  businessStatus: string | null;
}

export interface TransitionRequest {
  action: ReferralAction;
  role: ReferralRole;
  reason: string;
  /** For `progress` (required) and `start`/`complete` (optional): the milestone reached. */
  milestone?: string;
  /** For `complete`: required. */
  outcome?: string;
}

export type TransitionRefusal =
  /** The action is not allowed from the current status: 409. */
  | { ok: false; code: 'illegal_transition'; from: ReferralStatus; action: ReferralAction }
  /** This kind of actor may not take the action (a partner cancelling, a caseworker accepting): 403. */
  | { ok: false; code: 'actor_not_allowed'; role: ReferralRole; action: ReferralAction; allowed: readonly ReferralRole[] }
  /** Bad reason, milestone or outcome: 422 with the field. */
  | { ok: false; code: 'invalid_input'; field: 'reason' | 'milestone' | 'outcome'; allowed: readonly string[] };

export interface TransitionResult {
  ok: true;
  state: ReferralState;
  /** False when the referral was already where this request would take it (a repeated callback). */
  changed: boolean;
}

function milestoneIndex(pathway: string | null, milestone: string | null): number {
  return milestone === null ? -1 : milestonesOf(pathway).indexOf(milestone);
}

/**
 * Decides one transition: who may take it, from which status, with which reason code, milestone
 * and outcome; returns the new state or why not. Milestones only move forward along the
 * pathway's list.
 */
export function decide(state: ReferralState, request: TransitionRequest): TransitionResult | TransitionRefusal {
  const rule: ActionRule = ACTION_RULES[request.action];
  if (!rule.roles.includes(request.role)) return { ok: false, code: 'actor_not_allowed', role: request.role, action: request.action, allowed: rule.roles };
  if (!rule.from.includes(state.status)) return { ok: false, code: 'illegal_transition', from: state.status, action: request.action };
  if (!rule.reasons.includes(request.reason)) return { ok: false, code: 'invalid_input', field: 'reason', allowed: rule.reasons };

  let businessStatus = state.businessStatus;
  const milestoneAllowed = request.action === 'progress' || request.action === 'start' || request.action === 'complete';
  if (request.action === 'progress' && request.milestone === undefined) return { ok: false, code: 'invalid_input', field: 'milestone', allowed: milestonesOf(state.pathway) };
  if (request.milestone !== undefined) {
    const list = milestonesOf(state.pathway);
    const at = list.indexOf(request.milestone);
    // Forward only: a pathway does not go back from a decision to an interview.
    if (!milestoneAllowed || at < 0 || at <= milestoneIndex(state.pathway, state.businessStatus)) {
      return { ok: false, code: 'invalid_input', field: 'milestone', allowed: milestoneAllowed ? list.slice(milestoneIndex(state.pathway, state.businessStatus) + 1) : [] };
    }
    businessStatus = request.milestone;
  }
  if (request.action === 'complete') {
    if (request.outcome === undefined || !(REFERRAL_OUTCOMES as readonly string[]).includes(request.outcome)) {
      return { ok: false, code: 'invalid_input', field: 'outcome', allowed: REFERRAL_OUTCOMES };
    }
  } else if (request.outcome !== undefined) {
    return { ok: false, code: 'invalid_input', field: 'outcome', allowed: [] };
  }

  const to = rule.to === 'held' ? (state.heldFrom ?? 'received') : rule.to === 'same' ? state.status : rule.to;
  const heldFrom = to === 'on_hold' ? (state.status as HoldableStatus) : null;
  return { ok: true, state: { status: to, heldFrom, pathway: state.pathway, businessStatus }, changed: true };
}

/**
 * Whether `request` would only repeat what already happened: the referral is already in the
 * status the action leads to (or, for `progress`, already at that milestone). Integrators retry
 * callbacks; a repeat answers with the current referral instead of a 409.
 */
export function isRepeat(state: ReferralState, request: Pick<TransitionRequest, 'action' | 'milestone'>): boolean {
  const rule: ActionRule = ACTION_RULES[request.action];
  if (request.action === 'progress') return state.status === 'in_progress' && request.milestone !== undefined && state.businessStatus === request.milestone;
  if (rule.to === 'held' || rule.to === 'same') return false;
  return state.status === rule.to;
}

export function isFinal(status: ReferralStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** The actions `role` may take from `state` (for the API's `allowedActions`). */
export function availableActions(state: Pick<ReferralState, 'status'>, role: ReferralRole): ReferralAction[] {
  return REFERRAL_ACTIONS.filter((a) => {
    const rule: ActionRule = ACTION_RULES[a];
    return rule.roles.includes(role) && rule.from.includes(state.status);
  });
}

export function initialState(pathway: string | null): ReferralState {
  return { status: 'requested', heldFrom: null, pathway, businessStatus: null };
}
