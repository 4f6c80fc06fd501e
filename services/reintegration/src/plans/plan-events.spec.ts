import { Milestone, PlanOutcome, PlanStatus, TaskKind } from '@puente/contracts';
import { TASK_KINDS } from './codes';
import { MILESTONES } from './follow-ups';
import { milestoneEnum, planOutcomeEnum, planStatusEnum, taskKindEnum } from './plan-events';
import { PLAN_OUTCOMES, PLAN_STATUSES } from './plan-state';

describe('reintegration codes in events', () => {
  it('has an event enum value for every REST code, and a REST code for every enum value', () => {
    expect(PLAN_STATUSES.map(planStatusEnum).sort()).toEqual(Object.values(PlanStatus).filter((v) => typeof v === 'number' && v !== 0).sort());
    expect(PLAN_OUTCOMES.map(planOutcomeEnum).sort()).toEqual(Object.values(PlanOutcome).filter((v) => typeof v === 'number' && v !== 0).sort());
    expect(TASK_KINDS.map(taskKindEnum).sort()).toEqual(Object.values(TaskKind).filter((v) => typeof v === 'number' && v !== 0).sort());
    expect(MILESTONES.map(milestoneEnum).sort()).toEqual(Object.values(Milestone).filter((v) => typeof v === 'number' && v !== 0).sort());
  });
});
