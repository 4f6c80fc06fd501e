import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventContext } from './event-context';
import type { EventPatternOptions } from './event-pattern-options';

export interface HandlesEventOptions extends EventPatternOptions {
  topic: string;
}

/** The handler's transaction as its second argument (what `@HandlesEvent` methods expect). */
const TransactionArg = createParamDecorator((_: unknown, context: ExecutionContext) => context.switchToRpc().getContext<EventContext>().manager);

/**
 * @deprecated Write `@EventPattern(topic, { types, batch, ignoreOwnEvents })` with
 * `@Payload() event` and `@Ctx() { manager: tx }: EventContext` on a controller (docs/messaging.md).
 * Kept while handlers written against it are converted: it declares the same `@EventPattern`, and
 * still calls the method with `(event, tx)`. Its class must be a controller.
 */
export const HandlesEvent =
  ({ topic, ...options }: HandlesEventOptions): MethodDecorator =>
  (target, key, descriptor) => {
    Payload()(target, key, 0);
    TransactionArg()(target, key, 1);
    return EventPattern(topic, { ...options })(target, key, descriptor);
  };
