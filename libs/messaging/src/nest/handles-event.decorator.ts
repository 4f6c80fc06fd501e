import { SetMetadata } from '@nestjs/common';

export const HANDLES_EVENT = 'puente:handles-event';

export interface HandlesEventOptions {
  topic: string;
  /** CloudEvents types to receive; omit for every event on the topic. */
  types?: readonly string[];
  /** Skip the events this service published itself (its own `ce_source`): no inbox row, no transaction. */
  ignoreOwnEvents?: boolean;
  /**
   * The method receives `(events: ConsumedEvent[], tx)`: every fresh event of a run at once, for
   * one multi-row write. A failing batch is retried one event at a time (see EventHandlerBinding).
   */
  batch?: boolean;
}

/**
 * Marks a provider method as the handler of events on a topic. The method receives
 * `(event: ConsumedEvent, tx: EntityManager)` and must do its writes through `tx`: they commit
 * together with the inbox row that makes redelivery harmless.
 */
export const HandlesEvent = (options: HandlesEventOptions): MethodDecorator => SetMetadata(HANDLES_EVENT, options);
