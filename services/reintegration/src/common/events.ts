// Reintegration's events as protobuf on puente.reintegration.plan.v1, keyed by case id.
// Ids and closed codes only: never names, documents, answers or free text.
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import type { Principal } from '@puente/auth';
import { type ActorSchema, encodeEvent, Topics } from '@puente/contracts';
import type { OutgoingEvent } from '@puente/messaging';

/** One reintegration event for the outbox. */
export function reintegrationEvent<D extends DescMessage>(schema: D, caseId: string, message: MessageInitShape<D>, options: { traceparent?: string; time?: Date } = {}): OutgoingEvent {
  return { topic: Topics.reintegrationPlan.name, key: caseId, type: schema.typeName, payload: encodeEvent(schema, message), traceparent: options.traceparent, time: options.time };
}

/** The events' Actor of a caller (client, partner, this node); `system` for the service's own sweeps and consumers. */
export function actorOf(principal: Pick<Principal, 'clientId' | 'partnerId'> | null, node: string): MessageInitShape<typeof ActorSchema> {
  return principal ? { clientId: principal.clientId, partnerId: principal.partnerId, node } : { clientId: 'system', partnerId: '', node };
}
