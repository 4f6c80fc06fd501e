import fc from 'fast-check';
import { decideStage, packageStatusOf, type StageAction, type StageStatus } from './avr-stages';

const action = fc.constantFrom<StageAction>('disburse', 'acknowledge');

describe('assisted voluntary return stages', () => {
  it('pays stages in order and acknowledges each after it was paid', () => {
    expect(decideStage('requested', ['planned', 'planned'], 1, 'disburse')).toEqual({ ok: false, reason: 'earlier-stage-pending' });
    expect(decideStage('requested', ['planned', 'planned'], 0, 'acknowledge')).toEqual({ ok: false, reason: 'not-disbursed' });
    expect(decideStage('requested', ['planned', 'planned'], 0, 'disburse')).toEqual({ ok: true, to: 'disbursed' });
    expect(decideStage('in_progress', ['disbursed', 'planned'], 0, 'disburse')).toEqual({ ok: false, reason: 'already-done' });
    expect(decideStage('completed', ['acknowledged'], 0, 'acknowledge')).toEqual({ ok: false, reason: 'package-closed' });
  });

  it('from any sequence of actions: never pays a stage before an earlier one, never acknowledges an unpaid one, completes only when all are acknowledged', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.tuple(fc.nat(), action), { maxLength: 40 }), (n, steps) => {
        const stages: StageStatus[] = Array.from({ length: n }, () => 'planned');
        let status = packageStatusOf(stages);
        for (const [i, a] of steps) {
          const index = i % n;
          const d = decideStage(status, stages, index, a);
          if (!d.ok) continue;
          if (a === 'disburse') expect(stages.slice(0, index).every((s) => s !== 'planned')).toBe(true);
          else expect(stages[index]).toBe('disbursed');
          stages[index] = d.to;
          status = packageStatusOf(stages);
          // Paid stages always form a prefix.
          const firstPlanned = stages.indexOf('planned');
          if (firstPlanned >= 0) expect(stages.slice(firstPlanned).every((s) => s === 'planned')).toBe(true);
        }
        expect(status === 'completed').toBe(stages.every((s) => s === 'acknowledged'));
      }),
    );
  });
});
