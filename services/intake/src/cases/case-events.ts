import { type Actor, CaseStatus, CaseStatusChangedSchema, toTimestamp } from '@puente/contracts';
import { type CaseStatusValue, toProto } from '../common/enums';
import { event, type IntakeEvent } from '../events/intake-events';

/** CaseStatusChanged, keyed by the case: by a caseworker, or by a custody transfer's steps. */
export function caseStatusChanged(caseId: string, from: CaseStatusValue, to: CaseStatusValue, at: Date, actor: Actor): IntakeEvent {
  return event(CaseStatusChangedSchema, { caseId, fromStatus: toProto(CaseStatus, from), toStatus: toProto(CaseStatus, to), changedAt: toTimestamp(at), actor }, caseId);
}
