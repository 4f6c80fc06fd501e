import { Injectable } from '@nestjs/common';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { encodeEvent, Topics } from '@puente/contracts';
import { OutboxWriter, type OutgoingEvent } from '@puente/messaging';
import type { StatementPart } from '@puente/platform';
import type { EntityManager } from 'typeorm';

/** One intake event: its schema (ce_type = the schema's full name), message and Kafka key. */
export interface IntakeEvent<Desc extends DescMessage = DescMessage> {
  schema: Desc;
  message: MessageInitShape<Desc>;
  /** The case id for case events, the person id for match-key events. */
  key: string;
  /** Default: the case topic. */
  topic?: string;
}

/** Typed helper: `event(CaseOpenedSchema, {...}, caseId)`. */
export function event<Desc extends DescMessage>(schema: Desc, message: MessageInitShape<Desc>, key: string, topic?: string): IntakeEvent {
  return { schema, message, key, topic } as IntakeEvent;
}

/** Writes intake's events to the outbox, in the caller's transaction, continuing its trace. */
@Injectable()
export class IntakeEvents {
  constructor(private readonly outbox: OutboxWriter) {}

  async append(tx: EntityManager, traceparent: string | undefined, events: readonly IntakeEvent[], time: Date = new Date()): Promise<string[]> {
    return this.outbox.append(tx, ...this.outgoing(traceparent, events, time));
  }

  /** The same events as a part of one composed statement (CTE `outbox_insert`). */
  part(traceparent: string | undefined, events: readonly IntakeEvent[], time: Date = new Date()): { part: StatementPart; ids: string[] } {
    return this.outbox.part(this.outgoing(traceparent, events, time));
  }

  private outgoing(traceparent: string | undefined, events: readonly IntakeEvent[], time: Date): OutgoingEvent[] {
    return events.map((e) => ({
      topic: e.topic ?? Topics.intakeCase.name,
      key: e.key,
      type: e.schema.typeName,
      payload: encodeEvent(e.schema, e.message),
      traceparent,
      time,
    }));
  }
}
