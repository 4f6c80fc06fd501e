import { Injectable } from '@nestjs/common';
import { fromBinary } from '@bufbuild/protobuf';
import { MatchKeysPublishedSchema, MatchKeysWithdrawnSchema, Topics } from '@puente/contracts';
import { EnvelopeContentError, type OpenedEnvelope } from '@puente/federation';
import { eventSource, OutboxWriter } from '@puente/messaging';
import type { EntityManager } from 'typeorm';

const PERSON_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * What a peer's verified match-key envelope does here: its event goes onto this node's match-key
 * topic as the peer's event (source `/puente/<peer>/intake`), where intake's partner match-key
 * consumer stores the keys and flags possible duplicates, exactly as for any partner node's keys.
 * It is written once because the envelope's inbox row commits with it (a new event id: the
 * envelope's id is already in this consumer group's inbox).
 */
@Injectable()
export class MatchKeyArrivals {
  private readonly writers = new Map<string, OutboxWriter>();

  async apply(envelope: OpenedEnvelope, tx: EntityManager): Promise<void> {
    const retraction = envelope.kind === 'match-keys-retraction';
    const schema = retraction ? MatchKeysWithdrawnSchema : MatchKeysPublishedSchema;
    let message: { personId: string; node: string };
    try {
      message = fromBinary(schema, envelope.payload);
    } catch {
      throw new EnvelopeContentError(`not a ${schema.typeName}`);
    }
    // The keys must be the signing node's own: a node cannot speak for another.
    if (message.node !== envelope.iss || !PERSON_REFERENCE.test(message.personId)) {
      throw new EnvelopeContentError('match keys of another node or without a person reference');
    }
    let writer = this.writers.get(envelope.iss);
    if (!writer) {
      writer = new OutboxWriter(eventSource(envelope.iss, 'intake'));
      this.writers.set(envelope.iss, writer);
    }
    await writer.append(tx, { topic: Topics.intakeMatchKeys.name, key: message.personId, type: schema.typeName, payload: envelope.payload });
  }
}
