// The status of a reintegration plan as a pure state machine: which action moves it where.

export const PLAN_STATUSES = ['draft', 'active', 'on_hold', 'completed', 'dropped'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export const PLAN_ACTIONS = ['activate', 'hold', 'resume', 'complete', 'drop'] as const;
export type PlanAction = (typeof PLAN_ACTIONS)[number];

/** Closed statuses: nothing moves a plan out of them. */
export const CLOSED_STATUSES: readonly PlanStatus[] = ['completed', 'dropped'];

const TRANSITIONS: Record<PlanStatus, Partial<Record<PlanAction, PlanStatus>>> = {
  // A draft is being agreed with the person; it may still be abandoned.
  draft: { activate: 'active', drop: 'dropped' },
  active: { hold: 'on_hold', complete: 'completed', drop: 'dropped' },
  // On hold (the person is away, in hospital, …): resumed or dropped, never completed unseen.
  on_hold: { resume: 'active', drop: 'dropped' },
  completed: {},
  dropped: {},
};

export type Transition = { ok: true; to: PlanStatus } | { ok: false; allowed: PlanAction[] };

/** Where `action` takes a plan in `from`, or the actions allowed there instead. */
export function transition(from: PlanStatus, action: PlanAction): Transition {
  const to = TRANSITIONS[from][action];
  return to ? { ok: true, to } : { ok: false, allowed: allowedActions(from) };
}

/** The actions a plan in `status` accepts, in a stable order. */
export function allowedActions(status: PlanStatus): PlanAction[] {
  return PLAN_ACTIONS.filter((a) => TRANSITIONS[status][a] !== undefined);
}

export function isClosed(status: PlanStatus): boolean {
  return CLOSED_STATUSES.includes(status);
}

/** Outcomes a caseworker may give when closing, by the status the plan closes into. */
export const CLOSING_OUTCOMES = {
  completed: ['sustainably_reintegrated', 'partially_reintegrated', 'not_reintegrated'],
  dropped: ['withdrew', 'lost_contact', 'remigrated', 'not_reintegrated'],
} as const;

/** Every outcome, including those only the service gives (consent withdrawn, person erased). */
export const PLAN_OUTCOMES = ['sustainably_reintegrated', 'partially_reintegrated', 'not_reintegrated', 'remigrated', 'withdrew', 'lost_contact', 'consent_withdrawn', 'person_erased'] as const;
export type PlanOutcome = (typeof PLAN_OUTCOMES)[number];

/** Whether a caseworker may close into `status` with `outcome`. */
export function outcomeFits(status: 'completed' | 'dropped', outcome: string): boolean {
  return (CLOSING_OUTCOMES[status] as readonly string[]).includes(outcome);
}
