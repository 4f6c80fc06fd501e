import { Controller, Inject, Injectable, type Type } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { ConsumedEvent, EventContext } from '@puente/messaging';
import type { EntityManager } from 'typeorm';
import { writeTimelineEntries } from './timeline-projector';
import type { TimelineTopic } from './timeline-topics';

/** Projects consumed events into the timeline, a run at a time (idempotent: the inbox skips redeliveries, the unique key repeats). */
@Injectable()
export class TimelineProjector {
  async project(events: ConsumedEvent[], tx: EntityManager): Promise<void> {
    await writeTimelineEntries(
      tx,
      events.map((event) => ({ ...event, fallbackTime: new Date(Number.isFinite(event.producedAt) ? event.producedAt : Date.now()) })),
    );
  }
}

/**
 * A controller with one `@EventPattern(topic, { batch: true })` method per timeline topic (every
 * event type: no `types` filter), built from the configured list, since a decorator names one
 * topic and the list is only known at start.
 */
export function timelineConsumerClass(topics: readonly TimelineTopic[]): Type<unknown> {
  @Controller()
  class TimelineConsumer {
    constructor(@Inject(TimelineProjector) readonly projector: TimelineProjector) {}
  }
  for (const topic of topics) {
    const method = `timeline:${topic.name}`;
    const handler = function (this: TimelineConsumer, events: ConsumedEvent[], { manager: tx }: EventContext) {
      return this.projector.project(events, tx);
    };
    Object.defineProperty(TimelineConsumer.prototype, method, { value: handler, writable: true, configurable: true, enumerable: false });
    Payload()(TimelineConsumer.prototype, method, 0);
    Ctx()(TimelineConsumer.prototype, method, 1);
    EventPattern(topic.name, { batch: true })(TimelineConsumer.prototype, method, Object.getOwnPropertyDescriptor(TimelineConsumer.prototype, method) as PropertyDescriptor);
  }
  return TimelineConsumer;
}
