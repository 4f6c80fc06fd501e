import type { Principal } from '@puente/auth';
import { create } from '@bufbuild/protobuf';
import { type Actor, ActorSchema } from '@puente/contracts';

/** Who caused a change, as events carry it: the caller's client and partner, and this node. */
export function actorOf(principal: Principal, node: string): Actor {
  return create(ActorSchema, { clientId: principal.clientId, partnerId: principal.partnerId, node });
}
