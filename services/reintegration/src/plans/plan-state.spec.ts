import fc from 'fast-check';
import { allowedActions, CLOSED_STATUSES, isClosed, outcomeFits, PLAN_ACTIONS, PLAN_STATUSES, type PlanStatus, transition } from './plan-state';

const status = fc.constantFrom(...PLAN_STATUSES);
const action = fc.constantFrom(...PLAN_ACTIONS);

/** Runs a sequence of actions from draft, skipping refused ones; returns every status visited. */
function run(actions: readonly (typeof PLAN_ACTIONS)[number][]): PlanStatus[] {
  const visited: PlanStatus[] = ['draft'];
  let current: PlanStatus = 'draft';
  for (const a of actions) {
    const t = transition(current, a);
    if (t.ok) {
      current = t.to;
      visited.push(current);
    }
  }
  return visited;
}

describe('plan status', () => {
  it('follows the lifecycle draft → active ⇄ on_hold → completed | dropped', () => {
    expect(transition('draft', 'activate')).toEqual({ ok: true, to: 'active' });
    expect(transition('active', 'hold')).toEqual({ ok: true, to: 'on_hold' });
    expect(transition('on_hold', 'resume')).toEqual({ ok: true, to: 'active' });
    expect(transition('active', 'complete')).toEqual({ ok: true, to: 'completed' });
    expect(transition('on_hold', 'drop')).toEqual({ ok: true, to: 'dropped' });
    expect(transition('draft', 'complete')).toEqual({ ok: false, allowed: ['activate', 'drop'] });
    expect(transition('on_hold', 'complete')).toEqual({ ok: false, allowed: ['resume', 'drop'] });
  });

  it('never leaves a closed status', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CLOSED_STATUSES), action, (s, a) => {
        expect(transition(s, a).ok).toBe(false);
        expect(allowedActions(s)).toEqual([]);
      }),
    );
  });

  it('accepts exactly the allowed actions, and a refusal names them', () => {
    fc.assert(
      fc.property(status, action, (s, a) => {
        const t = transition(s, a);
        expect(t.ok).toBe(allowedActions(s).includes(a));
        if (!t.ok) expect(t.allowed).toEqual(allowedActions(s));
      }),
    );
  });

  it('from draft, reaches completed only through active, and any open status can still be dropped', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 30 }), (actions) => {
        const visited = run(actions);
        const completedAt = visited.indexOf('completed');
        if (completedAt >= 0) expect(visited[completedAt - 1]).toBe('active');
        const last = visited[visited.length - 1];
        if (!isClosed(last)) expect(transition(last, 'drop')).toEqual({ ok: true, to: 'dropped' });
        // Once closed, nothing after it.
        const closedAt = visited.findIndex((s) => isClosed(s));
        if (closedAt >= 0) expect(closedAt).toBe(visited.length - 1);
      }),
    );
  });

  it('takes only the outcomes that fit the closing status', () => {
    expect(outcomeFits('completed', 'sustainably_reintegrated')).toBe(true);
    expect(outcomeFits('completed', 'lost_contact')).toBe(false);
    expect(outcomeFits('dropped', 'remigrated')).toBe(true);
    expect(outcomeFits('dropped', 'person_erased')).toBe(false);
  });
});
