// Reception's events as protobuf on puente.reception.arrival.v1, keyed by case id.
// Ids and closed codes only: never names, notes, references or free text.
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { encodeEvent, MovementKind, ReceptionService, Topics } from '@puente/contracts';
import type { OutgoingEvent } from '@puente/messaging';
import type { ReceptionServiceCode } from '../centers/center.entity';
import type { MovementKind as MovementKindCode } from '../manifests/manifest-rows';

export function arrivalEvent<D extends DescMessage>(schema: D, caseId: string, message: MessageInitShape<D>, traceparent?: string): OutgoingEvent {
  return { topic: Topics.receptionArrival.name, key: caseId, type: schema.typeName, payload: encodeEvent(schema, message), traceparent };
}

export const MOVEMENT_KIND_ENUM: Record<MovementKindCode, MovementKind> = {
  flight: MovementKind.FLIGHT,
  land: MovementKind.LAND,
  avr: MovementKind.AVR,
  custody_transfer: MovementKind.CUSTODY_TRANSFER,
};

export const SERVICE_ENUM: Record<ReceptionServiceCode, ReceptionService> = {
  interview: ReceptionService.INTERVIEW,
  medical_screening: ReceptionService.MEDICAL_SCREENING,
  psychosocial_first_aid: ReceptionService.PSYCHOSOCIAL_FIRST_AID,
  hygiene_kit: ReceptionService.HYGIENE_KIT,
  meal: ReceptionService.MEAL,
  transport_home: ReceptionService.TRANSPORT_HOME,
  cash_grant: ReceptionService.CASH_GRANT,
  document_replacement: ReceptionService.DOCUMENT_REPLACEMENT,
  protection_screening: ReceptionService.PROTECTION_SCREENING,
  child_protection_handover: ReceptionService.CHILD_PROTECTION_HANDOVER,
};

/** Midnight UTC of a day `YYYY-MM-DD`. */
export function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}
