// Event registry: maps a CloudEvents `ce_type` (the protobuf full name of the payload
// message) to its protobuf-es schema, and encodes/decodes payloads (protobuf binary).
import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { CaseClosedSchema, CaseOpenedSchema, CaseStatusChangedSchema } from './gen/puente/intake/v1/case_events_pb';
import { ConsentRecordedSchema, ConsentWithdrawnSchema } from './gen/puente/intake/v1/consent_events_pb';
import {
  HouseholdChangedSchema,
  MatchKeysPublishedSchema,
  MatchKeysWithdrawnSchema,
  PersonErasedSchema,
  PersonRegisteredSchema,
  PersonUpdatedSchema,
  PossibleDuplicateFoundSchema,
  PossibleDuplicateResolvedSchema,
} from './gen/puente/intake/v1/person_events_pb';
import {
  ArrivalExpectedSchema,
  ArrivalNoShowSchema,
  ChildHandedOverSchema,
  PersonCheckedInSchema,
  ProtectionConcernRaisedSchema,
  ReceptionServiceDeliveredSchema,
} from './gen/puente/reception/v1/arrival_events_pb';
import {
  AvrStageDisbursedSchema,
  FollowUpOverdueSchema,
  JobMatchedSchema,
  JobPlacementConfirmedSchema,
  MilestoneReachedSchema,
  PlanClosedSchema,
  PlanCreatedSchema,
  PlanStatusChangedSchema,
  RemigrationFlaggedSchema,
  TaskCompletedSchema,
} from './gen/puente/reintegration/v1/reintegration_events_pb';
import { AgreementChangedSchema, PartnerChangedSchema, ProgramChangedSchema } from './gen/puente/referral/v1/directory_events_pb';
import {
  ProtectionAlertAcknowledgedSchema,
  ProtectionAlertAcknowledgementDueSchema,
  ProtectionAlertEscalatedSchema,
  SuggestionsComputedSchema,
} from './gen/puente/referral/v1/routing_events_pb';
import { RetractionReceiptedSchema, RetractionSentSchema } from './gen/puente/referral/v1/retraction_events_pb';
import {
  ReferralAcceptedSchema,
  ReferralCancelledSchema,
  ReferralCompletedSchema,
  ReferralDeliveryFailedSchema,
  ReferralEnteredInErrorSchema,
  ReferralExpiredSchema,
  ReferralFailedSchema,
  ReferralMessagePostedSchema,
  ReferralProgressedSchema,
  ReferralPutOnHoldSchema,
  ReferralReceivedSchema,
  ReferralRejectedSchema,
  ReferralRequestedSchema,
  ReferralResumedSchema,
  ReferralSentSchema,
  ReferralSlaBreachedSchema,
  ReferralStartedSchema,
} from './gen/puente/referral/v1/referral_events_pb';
import {
  CrossBorderReferralSentSchema,
  CrossBorderUpdateReceivedSchema,
  TransferAcceptedSchema,
  TransferCompletedSchema,
  TransferFollowUpReceivedSchema,
  TransferRejectedSchema,
  TransferRequestedSchema,
  TransferWithdrawnSchema,
} from './gen/puente/referral/v1/cross_border_events_pb';
import {
  ProtectionAlertRaisedSchema,
  ScreeningCancelledSchema,
  ScreeningCompletedSchema,
  ScreeningRequestedSchema,
  ScreeningStartedSchema,
} from './gen/puente/screening/v1/screening_events_pb';

/** Schemas of every event that may travel on a Puente topic. Add new event messages here. */
export const EventSchemas = [
  CaseOpenedSchema,
  CaseStatusChangedSchema,
  CaseClosedSchema,
  ConsentRecordedSchema,
  ConsentWithdrawnSchema,
  PersonRegisteredSchema,
  HouseholdChangedSchema,
  PossibleDuplicateFoundSchema,
  PersonErasedSchema,
  MatchKeysPublishedSchema,
  PossibleDuplicateResolvedSchema,
  MatchKeysWithdrawnSchema,
  PersonUpdatedSchema,
  ScreeningStartedSchema,
  ScreeningCompletedSchema,
  ProtectionAlertRaisedSchema,
  ScreeningCancelledSchema,
  ScreeningRequestedSchema,
  ProtectionConcernRaisedSchema,
  ArrivalExpectedSchema,
  PersonCheckedInSchema,
  ReceptionServiceDeliveredSchema,
  ArrivalNoShowSchema,
  ChildHandedOverSchema,
  ReferralRequestedSchema,
  ReferralSentSchema,
  ReferralReceivedSchema,
  ReferralAcceptedSchema,
  ReferralRejectedSchema,
  ReferralStartedSchema,
  ReferralPutOnHoldSchema,
  ReferralResumedSchema,
  ReferralProgressedSchema,
  ReferralCompletedSchema,
  ReferralCancelledSchema,
  ReferralFailedSchema,
  ReferralExpiredSchema,
  ReferralEnteredInErrorSchema,
  ReferralMessagePostedSchema,
  ReferralDeliveryFailedSchema,
  ReferralSlaBreachedSchema,
  CrossBorderReferralSentSchema,
  CrossBorderUpdateReceivedSchema,
  TransferRequestedSchema,
  TransferAcceptedSchema,
  TransferRejectedSchema,
  TransferWithdrawnSchema,
  TransferCompletedSchema,
  TransferFollowUpReceivedSchema,
  PartnerChangedSchema,
  ProgramChangedSchema,
  AgreementChangedSchema,
  SuggestionsComputedSchema,
  ProtectionAlertAcknowledgementDueSchema,
  ProtectionAlertAcknowledgedSchema,
  ProtectionAlertEscalatedSchema,
  RetractionSentSchema,
  RetractionReceiptedSchema,
  PlanCreatedSchema,
  PlanStatusChangedSchema,
  JobMatchedSchema,
  JobPlacementConfirmedSchema,
  TaskCompletedSchema,
  MilestoneReachedSchema,
  FollowUpOverdueSchema,
  PlanClosedSchema,
  RemigrationFlaggedSchema,
  AvrStageDisbursedSchema,
] as const;

export type EventSchema = (typeof EventSchemas)[number];
/** Union of all event messages; narrow with `event.$typeName === 'puente.intake.v1.CaseOpened'`. */
export type PuenteEvent = MessageShape<EventSchema>;
/** Union of all known ce_type values. */
export type EventType = PuenteEvent['$typeName'];
/** The event message for a given ce_type. */
export type EventOf<T extends EventType> = Extract<PuenteEvent, { $typeName: T }>;

const registry: ReadonlyMap<string, EventSchema> = new Map(EventSchemas.map((s) => [s.typeName, s] as const));

/** CloudEvents Kafka binding (binary content mode) header names used by Puente. */
export const CloudEventHeaders = {
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  time: 'ce_time',
  specVersion: 'ce_specversion',
  subject: 'ce_subject',
  contentType: 'content-type',
  traceParent: 'traceparent',
} as const;
export const CLOUDEVENTS_SPEC_VERSION = '1.0';
/** `content-type` of every Puente event payload (protobuf binary). */
export const PROTOBUF_CONTENT_TYPE = 'application/protobuf';

/** Thrown when a ce_type is not in the registry (not a Puente event, or from a newer contract). */
export class UnknownEventTypeError extends Error {
  readonly code = 'UNKNOWN_EVENT_TYPE';
  constructor(readonly ceType: string) {
    super(`Unknown event type ${JSON.stringify(ceType)}; known: ${[...registry.keys()].join(', ')}`);
    this.name = 'UnknownEventTypeError';
  }
}

/** Thrown when a payload is not valid protobuf for its ce_type (a poison message). */
export class EventDecodeError extends Error {
  readonly code = 'EVENT_DECODE_FAILED';
  constructor(
    readonly ceType: string,
    cause: unknown,
  ) {
    super(`Cannot decode ${ceType} payload: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'EventDecodeError';
  }
}

export function isKnownEventType(ceType: string): ceType is EventType {
  return registry.has(ceType);
}

/** All registered ce_type values. */
export function eventTypes(): EventType[] {
  return [...registry.keys()] as EventType[];
}

/** The schema registered for `ceType`; throws UnknownEventTypeError. */
export function eventSchema<T extends EventType>(ceType: T): Extract<EventSchema, { typeName: T }>;
export function eventSchema(ceType: string): EventSchema;
export function eventSchema(ceType: string): EventSchema {
  const schema = registry.get(ceType);
  if (!schema) throw new UnknownEventTypeError(ceType);
  return schema;
}

/** The ce_type of a schema: its protobuf full name. */
export function eventTypeOf(schema: DescMessage): string {
  return schema.typeName;
}

/** Protobuf binary encoding of an event (a message or a plain init object). */
export function encodeEvent<Desc extends DescMessage>(schema: Desc, message: MessageInitShape<Desc>): Uint8Array {
  return toBinary(schema, create(schema, message));
}

/**
 * Decodes a payload by its ce_type. Throws UnknownEventTypeError for unregistered types and
 * EventDecodeError for malformed bytes. Unknown fields (from newer producers) are kept.
 */
export function decodeEvent<T extends EventType>(ceType: T, bytes: Uint8Array): EventOf<T>;
export function decodeEvent(ceType: string, bytes: Uint8Array): PuenteEvent;
export function decodeEvent(ceType: string, bytes: Uint8Array): PuenteEvent {
  const schema = eventSchema(ceType);
  try {
    return fromBinary(schema, bytes) as PuenteEvent;
  } catch (err) {
    throw new EventDecodeError(ceType, err);
  }
}

/** google.protobuf.Timestamp from a Date (now by default). */
export function toTimestamp(date: Date = new Date()): Timestamp {
  return timestampFromDate(date);
}

/** Date from a google.protobuf.Timestamp (millisecond precision). */
export function fromTimestamp(ts: Timestamp): Date {
  return timestampDate(ts);
}
