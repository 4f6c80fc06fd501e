import { nextStatus, SCREENING_STATUSES } from './screening-state';

describe('screening state machine', () => {
  it('lets open screenings be answered, completed and cancelled', () => {
    expect(nextStatus('pending', 'answer')).toBe('in_progress');
    expect(nextStatus('in_progress', 'answer')).toBe('in_progress');
    expect(nextStatus('pending', 'complete')).toBe('completed');
    expect(nextStatus('in_progress', 'complete')).toBe('completed');
    expect(nextStatus('pending', 'cancel')).toBe('cancelled');
    expect(nextStatus('in_progress', 'cancel')).toBe('cancelled');
  });

  it('activates only a pending screening', () => {
    expect(nextStatus('pending', 'activate')).toBe('in_progress');
    for (const from of ['in_progress', 'completed', 'cancelled'] as const) expect(nextStatus(from, 'activate')).toEqual({ illegal: true, from, action: 'activate' });
  });

  it('makes completed and cancelled screenings final', () => {
    for (const from of ['completed', 'cancelled'] as const) {
      for (const action of ['answer', 'complete', 'cancel'] as const) {
        expect(nextStatus(from, action)).toEqual({ illegal: true, from, action });
      }
    }
  });

  it('never leads back to an open state from a final one, nor out of the known statuses', () => {
    for (const from of SCREENING_STATUSES) {
      for (const action of ['answer', 'complete', 'cancel'] as const) {
        const to = nextStatus(from, action);
        if (typeof to === 'string') expect(SCREENING_STATUSES).toContain(to);
      }
    }
  });
});
