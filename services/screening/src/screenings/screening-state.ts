// The life of a screening session:
//
//   pending ──activate/answer──▶ in_progress ──answer──▶ in_progress
//      │                             │
//      ├──complete───────────────────┴──complete──▶ completed   (final; result stored, never recomputed)
//      └──cancel─────────────────────┴──cancel────▶ cancelled   (final; consent withdrawn, case closed, erased)
//
// `pending` is the state of a screening opened on someone's behalf and not yet worked on: a
// protection concern raised by reception opens one, before anyone checked consent. The first
// caseworker action on it (start, answer, complete), with a screening consent in force, activates
// it first (ScreeningStarted); a caseworker's own start creates a screening `in_progress`.

export const SCREENING_STATUSES = ['pending', 'in_progress', 'completed', 'cancelled'] as const;
export type ScreeningStatus = (typeof SCREENING_STATUSES)[number];
export const OPEN_STATUSES: readonly ScreeningStatus[] = ['pending', 'in_progress'];

export const SCREENING_TRIGGERS = ['caseworker', 'rescreen', 'protection_concern'] as const;
export type ScreeningTrigger = (typeof SCREENING_TRIGGERS)[number];

export const CANCEL_REASONS = ['consent_withdrawn', 'case_closed', 'person_erased'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

export type ScreeningAction = 'activate' | 'answer' | 'complete' | 'cancel';

export interface IllegalTransition {
  illegal: true;
  from: ScreeningStatus;
  action: ScreeningAction;
}

const TABLE: Record<ScreeningStatus, Partial<Record<ScreeningAction, ScreeningStatus>>> = {
  pending: { activate: 'in_progress', answer: 'in_progress', complete: 'completed', cancel: 'cancelled' },
  in_progress: { answer: 'in_progress', complete: 'completed', cancel: 'cancelled' },
  completed: {},
  cancelled: {},
};

/** The status after `action`, or why it is not allowed. */
export function nextStatus(from: ScreeningStatus, action: ScreeningAction): ScreeningStatus | IllegalTransition {
  return TABLE[from][action] ?? { illegal: true, from, action };
}

export function isOpen(status: ScreeningStatus): boolean {
  return OPEN_STATUSES.includes(status);
}
