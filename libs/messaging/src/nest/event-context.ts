import { BaseRpcContext } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import type { ConsumedEvent } from '../consumer/consumed-event';

/**
 * What `@Ctx()` gives an event handler (and `context.switchToRpc().getContext()` an interceptor,
 * guard or exception filter): the transaction its writes must go through, because the inbox row
 * that makes a redelivery harmless commits in it too, and the events of this call.
 */
export class EventContext extends BaseRpcContext<[manager: EntityManager, events: readonly ConsumedEvent[], handler: string]> {
  /** The transaction of this call: the effect and the inbox row commit (or roll back) together. */
  get manager(): EntityManager {
    return this.args[0];
  }

  /** The events of this call, in partition order: one, or a run of them for `batch: true`. */
  get events(): readonly ConsumedEvent[] {
    return this.args[1];
  }

  /** `Class.method` of the handler (also in logs and the `dlq_handler` header). */
  get handler(): string {
    return this.args[2];
  }

  get topic(): string {
    return this.args[1][0].topic;
  }
}
