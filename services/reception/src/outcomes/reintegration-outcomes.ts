import { type PlanClosed, PlanOutcome, PlanStatus } from '@puente/contracts';
import { NonRetryableError, requireUuid, timeOf } from '@puente/messaging';
import { SITE_CODE_PATTERN } from '@puente/auth';
import { PLAN_OUTCOMES } from './reintegration-outcome.entity';

/** A PlanClosed as reception keeps it: for one of its own centers, or nothing. */
export interface OutcomeRecord {
  planId: string;
  caseId: string;
  centerCode: string;
  status: 'completed' | 'dropped';
  outcome: (typeof PLAN_OUTCOMES)[number];
  scores: { economic: number; social: number; psychosocial: number; composite: number } | null;
  closedAt: Date;
}

const score = (value: number, field: string): number => {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new NonRetryableError(`last_scores.${field} is not between 0 and 1`);
  return value;
};

/**
 * The record of a closed plan, or null when it was referred by another node or by no center
 * (a caseworker's plan): only this node's centers learn outcomes here. A field breaking the
 * contract is a poison event naming the field (never its value).
 */
export function outcomeRecordOf(message: PlanClosed, node: string, eventTime: string): OutcomeRecord | null {
  if (!message.referringCenterCode || message.referringNode !== node) return null;
  if (!SITE_CODE_PATTERN.test(message.referringCenterCode)) throw new NonRetryableError('referring_center_code is not a center code');
  const status = message.status === PlanStatus.COMPLETED ? 'completed' : message.status === PlanStatus.DROPPED ? 'dropped' : null;
  if (!status) throw new NonRetryableError('status is neither completed nor dropped');
  const outcome = (PlanOutcome[message.outcome] ?? '').toLowerCase() as OutcomeRecord['outcome'];
  if (!PLAN_OUTCOMES.includes(outcome)) throw new NonRetryableError('outcome is not a known plan outcome');
  const s = message.lastScores;
  return {
    planId: requireUuid(message.planId, 'plan_id'),
    caseId: requireUuid(message.caseId, 'case_id'),
    centerCode: message.referringCenterCode,
    status,
    outcome,
    scores: s ? { economic: score(s.economic, 'economic'), social: score(s.social, 'social'), psychosocial: score(s.psychosocial, 'psychosocial'), composite: score(s.composite, 'composite') } : null,
    closedAt: timeOf(message.closedAt, 'closed_at', eventTime),
  };
}
