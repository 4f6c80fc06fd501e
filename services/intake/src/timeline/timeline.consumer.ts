import { Inject, Injectable, type Type } from '@nestjs/common';
import { type ConsumedEvent, HandlesEvent } from '@puente/messaging';
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
 * A provider with one `@HandlesEvent` method per timeline topic (every event type: no `types`
 * filter), built from the configured list, since a decorator names one topic and the list is
 * only known at start.
 */
export function timelineConsumerClass(topics: readonly TimelineTopic[]): Type<unknown> {
  @Injectable()
  class TimelineConsumer {
    constructor(@Inject(TimelineProjector) readonly projector: TimelineProjector) {}
  }
  for (const topic of topics) {
    const method = `timeline:${topic.name}`;
    const handler = function (this: TimelineConsumer, events: ConsumedEvent[], tx: EntityManager) {
      return this.projector.project(events, tx);
    };
    Object.defineProperty(TimelineConsumer.prototype, method, { value: handler, writable: true, configurable: true, enumerable: false });
    HandlesEvent({ topic: topic.name, batch: true })(TimelineConsumer.prototype, method, Object.getOwnPropertyDescriptor(TimelineConsumer.prototype, method) as PropertyDescriptor);
  }
  return TimelineConsumer;
}
