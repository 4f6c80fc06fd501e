import { type Actor, AgeBand, PersonRegisteredSchema, PersonUpdatedSchema, Sex, toTimestamp, VulnerabilityFlag } from '@puente/contracts';
import { toProto } from '../common/enums';
import { event, type IntakeEvent } from '../events/intake-events';
import type { Person } from './person.entity';

type Minimized = Pick<Person, 'id' | 'siteCode' | 'ageBand' | 'sex' | 'nationality' | 'vulnerabilityFlags' | 'interpreterNeeded'>;

const attributes = (p: Minimized) => ({
  personId: p.id,
  ageBand: toProto(AgeBand, p.ageBand),
  sex: toProto(Sex, p.sex),
  nationality: p.nationality,
  vulnerabilityFlags: p.vulnerabilityFlags.map((f) => toProto(VulnerabilityFlag, f)),
  interpreterNeeded: p.interpreterNeeded,
});

/** PersonRegistered on the case the person joined: minimized attributes only. */
export function personRegistered(p: Minimized, caseId: string, at: Date, registeredBy: Actor): IntakeEvent {
  return event(PersonRegisteredSchema, { ...attributes(p), caseId, siteCode: p.siteCode, registeredAt: toTimestamp(at), registeredBy }, caseId);
}

/** PersonUpdated on one of the person's cases (one per case, keyed by it): minimized attributes only. */
export function personUpdated(p: Minimized & Pick<Person, 'updatedAt'>, caseId: string, caseIds: readonly string[], updatedBy: Actor): IntakeEvent {
  return event(PersonUpdatedSchema, { ...attributes(p), caseId, caseIds: [...caseIds], updatedAt: toTimestamp(p.updatedAt), updatedBy }, caseId);
}
