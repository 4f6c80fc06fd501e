import fc from 'fast-check';
import { CASE_STATUSES, type CaseStatusValue } from '../common/enums';
import { acceptsChanges, canChangeStatus, canClose, nextStatuses } from './case-status';

describe('case status transitions', () => {
  it('follows the lifecycle open → screening → referral → transfer', () => {
    expect(canChangeStatus('open', 'in_screening')).toBe(true);
    expect(canChangeStatus('in_screening', 'screened')).toBe(true);
    expect(canChangeStatus('screened', 'referred')).toBe(true);
    expect(canChangeStatus('referred', 'transfer_pending')).toBe(true);
    expect(canChangeStatus('transfer_pending', 'transferred')).toBe(true);
  });

  it('never reaches closed by a status change, never leaves closed, and closes from anything else (property)', () => {
    const status = fc.constantFrom(...CASE_STATUSES);
    fc.assert(
      fc.property(status, status, (from: CaseStatusValue, to: CaseStatusValue) => {
        if (to === 'closed' || from === 'closed') expect(canChangeStatus(from, to)).toBe(false);
        if (from === to) expect(canChangeStatus(from, to)).toBe(false);
        expect(canClose(from)).toBe(from !== 'closed');
      }),
    );
  });

  it('keeps transferred final except for closing', () => {
    expect(nextStatuses('transferred')).toEqual([]);
    expect(canClose('transferred')).toBe(true);
    expect(acceptsChanges('transferred')).toBe(false);
    expect(acceptsChanges('closed')).toBe(false);
    expect(acceptsChanges('on_hold')).toBe(true);
  });

  it('lets every status other than transferred and closed reach transferred eventually', () => {
    for (const start of CASE_STATUSES.filter((s) => s !== 'closed' && s !== 'transferred')) {
      const seen = new Set<CaseStatusValue>([start]);
      const queue: CaseStatusValue[] = [start];
      while (queue.length) {
        for (const n of nextStatuses(queue.shift()!)) {
          if (!seen.has(n)) {
            seen.add(n);
            queue.push(n);
          }
        }
      }
      expect(seen.has('transferred')).toBe(true);
    }
  });
});
