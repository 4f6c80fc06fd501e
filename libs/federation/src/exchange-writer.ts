import { OutboxWriter } from '@puente/messaging';
import type { EntityManager } from 'typeorm';
import { type ExchangeKind, exchangeTopic } from './exchange-kinds';
import { sealEnvelope } from './envelope';
import type { NodeRegistry } from './node-registry';

/** CloudEvents type of every envelope on an exchange topic: the kind is inside, signed. */
export const SEALED_ENVELOPE_TYPE = 'puente.federation.v1.SealedEnvelope';

export interface OutgoingExchange {
  to: string;
  kind: ExchangeKind;
  /** Kafka key: the case id, or the person id for match keys. */
  key: string;
  /** Protobuf bytes. */
  payload: Uint8Array;
  traceparent?: string;
  /** Envelope id (default: a random UUID). */
  id?: string;
  ttlSeconds?: number;
}

/**
 * Sends envelopes through the node's outbox, inside the caller's transaction: sealed for the
 * receiving node, published to `puente.exchange.<to>.<aggregate>.v1` on this node's cluster
 * (MirrorMaker 2 copies it over), and recorded as sent until the receipt comes back. The
 * CloudEvents id is the envelope id, so a record copied twice is one event for the receiver.
 */
export class ExchangeWriter {
  private readonly outbox: OutboxWriter;

  constructor(
    readonly registry: NodeRegistry,
    source: string,
  ) {
    this.outbox = new OutboxWriter(source);
  }

  async send(tx: EntityManager, ...exchanges: OutgoingExchange[]): Promise<string[]> {
    const ids: string[] = [];
    for (const x of exchanges) {
      const { value, claims } = await sealEnvelope(this.registry, { to: x.to, kind: x.kind, payload: x.payload, id: x.id, ttlSeconds: x.ttlSeconds });
      await this.outbox.append(tx, { topic: exchangeTopic(x.to, x.kind), key: x.key, type: SEALED_ENVELOPE_TYPE, payload: value, id: claims.jti, traceparent: x.traceparent });
      // Receipts are not acknowledged themselves (no receipt for a receipt).
      if (x.kind !== 'receipt') {
        await tx.query(
          `INSERT INTO federation_sent_envelope (envelope_id, peer, kind, subject, sent_at, expires_at)
           VALUES ($1, $2, $3, $4, to_timestamp($5), to_timestamp($6))`,
          [claims.jti, x.to, x.kind, x.key, claims.iat, claims.exp],
        );
      }
      ids.push(claims.jti);
    }
    return ids;
  }
}
