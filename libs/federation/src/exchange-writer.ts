import { OutboxWriter } from '@puente/messaging';
import type { EntityManager } from 'typeorm';
import { type ExchangeKind, exchangeTopic } from './exchange-kinds';
import { sealEnvelope } from './envelope';
import type { NodeRegistry } from './node-registry';

import { SEALED_ENVELOPE_TYPE } from '@puente/contracts';

/** CloudEvents type of every envelope on an exchange topic: the kind is inside, signed (declared with the contracts). */
export { SEALED_ENVELOPE_TYPE };

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
    if (exchanges.length === 0) return [];
    // Sealing is asynchronous WebCrypto work (thread pool): a batch is sealed concurrently.
    const sealed = await Promise.all(
      exchanges.map((x) => sealEnvelope(this.registry, { to: x.to, kind: x.kind, payload: x.payload, id: x.id, ttlSeconds: x.ttlSeconds })),
    );
    await this.outbox.append(
      tx,
      ...exchanges.map((x, i) => ({ topic: exchangeTopic(x.to, x.kind), key: x.key, type: SEALED_ENVELOPE_TYPE, payload: sealed[i].value, id: sealed[i].claims.jti, traceparent: x.traceparent })),
    );
    // Receipts are not acknowledged themselves (no receipt for a receipt).
    const tracked = exchanges.map((x, i) => ({ x, c: sealed[i].claims })).filter(({ x }) => x.kind !== 'receipt');
    if (tracked.length > 0) {
      await tx.query(
        `INSERT INTO federation_sent_envelope (envelope_id, peer, kind, subject, sent_at, expires_at)
         SELECT id, peer, kind, subject, to_timestamp(iat), to_timestamp(exp)
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[]) AS t (id, peer, kind, subject, iat, exp)`,
        [tracked.map((t) => t.c.jti), tracked.map((t) => t.x.to), tracked.map((t) => t.x.kind), tracked.map((t) => t.x.key), tracked.map((t) => t.c.iat), tracked.map((t) => t.c.exp)],
      );
    }
    return sealed.map((s) => s.claims.jti);
  }
}
