import fc from 'fast-check';
import { addMonths, FOLLOW_UP_GRACE_MS, isOverdue, milestoneDueDates, MILESTONES } from './follow-ups';

const DAY = 24 * 60 * 60 * 1000;
const date = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true });

describe('follow-up milestones', () => {
  it('falls due 1, 3, 6 and 12 calendar months after activation', () => {
    expect(milestoneDueDates(new Date('2026-01-31T10:00:00Z')).map((m) => [m.milestone, m.dueAt.toISOString()])).toEqual([
      ['month_1', '2026-02-28T10:00:00.000Z'],
      ['month_3', '2026-04-30T10:00:00.000Z'],
      ['month_6', '2026-07-31T10:00:00.000Z'],
      ['month_12', '2027-01-31T10:00:00.000Z'],
    ]);
  });

  it('puts the milestones in order, each between 28 and 31 days a month after activation', () => {
    fc.assert(
      fc.property(date, (activated) => {
        const due = milestoneDueDates(activated);
        expect(due.map((d) => d.milestone)).toEqual([...MILESTONES]);
        for (let i = 1; i < due.length; i += 1) expect(due[i].dueAt.getTime()).toBeGreaterThan(due[i - 1].dueAt.getTime());
        for (const months of [1, 3, 6, 12]) {
          const days = (addMonths(activated, months).getTime() - activated.getTime()) / DAY;
          expect(days).toBeGreaterThanOrEqual(28 * months - 0.01);
          expect(days).toBeLessThanOrEqual(31 * months + 0.01);
        }
      }),
    );
  });

  it('is overdue only after the grace period, and stays overdue as time passes', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 0, max: 400 * DAY }), fc.integer({ min: 0, max: 400 * DAY }), (due, a, b) => {
        const earlier = new Date(due.getTime() + Math.min(a, b));
        const later = new Date(due.getTime() + Math.max(a, b));
        if (isOverdue(due, earlier)) expect(isOverdue(due, later)).toBe(true);
        expect(isOverdue(due, earlier)).toBe(Math.min(a, b) > FOLLOW_UP_GRACE_MS);
      }),
    );
    expect(isOverdue(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-15T00:00:00Z'))).toBe(false);
    expect(isOverdue(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-15T00:00:01Z'))).toBe(true);
  });
});
