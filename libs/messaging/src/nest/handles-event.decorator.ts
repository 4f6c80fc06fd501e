import { SetMetadata } from '@nestjs/common';

export const HANDLES_EVENT = 'puente:handles-event';

export interface HandlesEventOptions {
  topic: string;
  /** CloudEvents types to receive; omit for every event on the topic. */
  types?: readonly string[];
}

/**
 * Marks a provider method as the handler of events on a topic. The method receives
 * `(event: ConsumedEvent, tx: EntityManager)` and must do its writes through `tx`: they commit
 * together with the inbox row that makes redelivery harmless.
 */
export const HandlesEvent = (options: HandlesEventOptions): MethodDecorator => SetMetadata(HANDLES_EVENT, options);
