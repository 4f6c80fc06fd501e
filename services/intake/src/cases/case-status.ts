import type { CaseStatusValue } from '../common/enums';

/**
 * Status changes a caseworker (or another context, through intake) may make. `closed` is reached
 * only through "close with a reason", from any other status, and is final.
 */
const TRANSITIONS: Readonly<Record<CaseStatusValue, readonly CaseStatusValue[]>> = {
  open: ['in_screening', 'screened', 'referred', 'transfer_pending', 'on_hold'],
  in_screening: ['open', 'screened', 'referred', 'on_hold'],
  screened: ['in_screening', 'referred', 'transfer_pending', 'on_hold'],
  referred: ['screened', 'transfer_pending', 'on_hold'],
  transfer_pending: ['referred', 'transferred', 'on_hold'],
  transferred: [],
  on_hold: ['open', 'in_screening', 'screened', 'referred'],
  closed: [],
};

/** The statuses reachable from `from` with a status change (not counting close). */
export function nextStatuses(from: CaseStatusValue): readonly CaseStatusValue[] {
  return TRANSITIONS[from];
}

export function canChangeStatus(from: CaseStatusValue, to: CaseStatusValue): boolean {
  return TRANSITIONS[from].includes(to);
}

/** A case can be closed from any status but `closed`. */
export function canClose(from: CaseStatusValue): boolean {
  return from !== 'closed';
}

/** Whether new persons, households and consents may still be recorded on the case. */
export function acceptsChanges(status: CaseStatusValue): boolean {
  return status !== 'closed' && status !== 'transferred';
}
