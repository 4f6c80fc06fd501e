import { Injectable } from '@nestjs/common';
import { fromBinary } from '@bufbuild/protobuf';
import { MatchKeysPublishedSchema, MatchKeysWithdrawnSchema, RetractionNoticeSchema, Topics } from '@puente/contracts';
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
    // A retraction deletes what this node holds at once, in the transaction that answers with the
    // receipt (the event below tells the partner match-key consumer, which finds nothing left).
    if (retraction) await tx.query('DELETE FROM partner_match_key WHERE node = $1 AND reference = $2', [envelope.iss, message.personId]);
    let writer = this.writers.get(envelope.iss);
    if (!writer) {
      writer = new OutboxWriter(eventSource(envelope.iss, 'intake'));
      this.writers.set(envelope.iss, writer);
    }
    await writer.append(tx, { topic: Topics.intakeMatchKeys.name, key: message.personId, type: schema.typeName, payload: envelope.payload });
  }
}

/**
 * A peer's retraction notice (kind `retraction`): the sender withdraws what it delivered about one
 * of its persons. Intake deletes what it holds from that node about the person (its match keys)
 * in the transaction that answers with the receipt; the person's records imported here under
 * the sender's reference are retracted by the handlers registered with `also`.
 */
@Injectable()
export class RetractionArrivals {
  private readonly handlers: ((sender: string, personId: string, tx: EntityManager) => Promise<void>)[] = [];

  /** Another holder of data received from nodes (e.g. imported transfers) deletes its part too. */
  also(handler: (sender: string, personId: string, tx: EntityManager) => Promise<void>): void {
    this.handlers.push(handler);
  }

  async apply(envelope: OpenedEnvelope, tx: EntityManager): Promise<void> {
    let personId: string;
    try {
      personId = fromBinary(RetractionNoticeSchema, envelope.payload).personId;
    } catch {
      throw new EnvelopeContentError('not a puente.federation.v1.RetractionNotice');
    }
    if (!PERSON_REFERENCE.test(personId)) throw new EnvelopeContentError('retraction without a person reference');
    await tx.query('DELETE FROM partner_match_key WHERE node = $1 AND reference = $2', [envelope.iss, personId]);
    for (const handler of this.handlers) await handler(envelope.iss, personId, tx);
  }
}
