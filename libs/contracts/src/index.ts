// Public entry of @puente/contracts. Import from here only, never from ./gen directly.
//
// Generated protobuf-es code (proto/puente/**): message types (`CaseOpened`), their schemas
// (`CaseOpenedSchema`, used with create/toBinary/fromBinary/equals from @bufbuild/protobuf)
// and enums (`Priority.URGENT`; the enum-name prefix is stripped in TypeScript).
export * from './gen/puente/events/v1/envelope_pb';
export * from './gen/puente/intake/v1/case_events_pb';
export * from './gen/puente/intake/v1/consent_events_pb';
export * from './gen/puente/intake/v1/person_events_pb';
export * from './gen/puente/screening/v1/screening_events_pb';
export * from './gen/puente/reception/v1/arrival_events_pb';
export * from './gen/puente/reintegration/v1/reintegration_events_pb';
export * from './gen/puente/reintegration/v1/reintegration_exchange_pb';
export * from './gen/puente/federation/v1/exchange_pb';
export * from './gen/puente/referral/v1/referral_events_pb';
export * from './gen/puente/referral/v1/directory_events_pb';
export * from './gen/puente/referral/v1/routing_events_pb';
export * from './gen/puente/referral/v1/retraction_events_pb';
export * from './gen/puente/referral/v1/cross_border_events_pb';

export * from './topics';
export * from './iso-3166';
export * from './iso-639';
export * from './events';
export * from './asyncapi';
