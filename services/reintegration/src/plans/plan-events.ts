// Reintegration codes as the events' enums: the REST spellings upper-cased are the enum names.
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  Milestone as MilestoneEnum,
  PlanOutcome as PlanOutcomeEnum,
  PlanStatus as PlanStatusEnum,
  type SustainabilityScoresSchema,
  TaskKind as TaskKindEnum,
} from '@puente/contracts';
import type { TaskKind } from './codes';
import type { Milestone } from './follow-ups';
import type { PlanOutcome, PlanStatus } from './plan-state';
import type { Scores } from './sustainability';

export const planStatusEnum = (s: PlanStatus): PlanStatusEnum => PlanStatusEnum[s.toUpperCase() as keyof typeof PlanStatusEnum];
export const planOutcomeEnum = (o: PlanOutcome): PlanOutcomeEnum => PlanOutcomeEnum[o.toUpperCase() as keyof typeof PlanOutcomeEnum];
export const taskKindEnum = (k: TaskKind): TaskKindEnum => TaskKindEnum[k.toUpperCase() as keyof typeof TaskKindEnum];
export const milestoneEnum = (m: Milestone): MilestoneEnum => MilestoneEnum[m.toUpperCase() as keyof typeof MilestoneEnum];

export function scoresMessage(s: Scores | null): MessageInitShape<typeof SustainabilityScoresSchema> | undefined {
  return s ? { economic: s.economic, social: s.social, psychosocial: s.psychosocial, composite: s.composite } : undefined;
}
