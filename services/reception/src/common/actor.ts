import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Principal } from '@puente/auth';
import type { ActorSchema } from '@puente/contracts';

/** The events' Actor of a caller: client, partner and this node. */
export function actorOf(principal: Pick<Principal, 'clientId' | 'partnerId'> | null, node: string): MessageInitShape<typeof ActorSchema> {
  return principal ? { clientId: principal.clientId, partnerId: principal.partnerId, node } : { clientId: 'system', partnerId: '', node };
}
