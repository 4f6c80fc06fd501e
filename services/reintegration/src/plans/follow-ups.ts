// Follow-up milestones of an active plan: 1, 3, 6 and 12 calendar months after activation, and
// when one is overdue. Pure: the caller gives the clock.

export const MILESTONES = ['month_1', 'month_3', 'month_6', 'month_12'] as const;
export type Milestone = (typeof MILESTONES)[number];

export const MILESTONE_MONTHS: Record<Milestone, number> = { month_1: 1, month_3: 3, month_6: 6, month_12: 12 };

/**
 * A follow-up may be recorded up to this long after its due date before it is overdue: the
 * caseworker has two weeks to reach the person.
 */
export const FOLLOW_UP_GRACE_MS = 14 * 24 * 60 * 60 * 1000;

/** `date` plus `months` calendar months (UTC), on the last day of the month when the day does not exist (31 Jan + 1 = 28/29 Feb). */
export function addMonths(date: Date, months: number): Date {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = new Date(date.getTime());
  d.setUTCFullYear(y, m, Math.min(date.getUTCDate(), lastDay));
  return d;
}

/** When each milestone is due for a plan activated at `activatedAt`. */
export function milestoneDueDates(activatedAt: Date): { milestone: Milestone; dueAt: Date }[] {
  return MILESTONES.map((milestone) => ({ milestone, dueAt: addMonths(activatedAt, MILESTONE_MONTHS[milestone]) }));
}

/** Whether a follow-up due at `dueAt` and not recorded is overdue at `now`. */
export function isOverdue(dueAt: Date, now: Date): boolean {
  return now.getTime() > dueAt.getTime() + FOLLOW_UP_GRACE_MS;
}
