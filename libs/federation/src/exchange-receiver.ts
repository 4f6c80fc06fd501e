import { fromBinary } from '@bufbuild/protobuf';
import { type ExchangeReceipt, ExchangeReceiptSchema, encodeEvent, fromTimestamp, ReceiptOutcome, toTimestamp } from '@puente/contracts';
import { type AuditActor, type AuditLog, OBJECT_ID_PATTERN } from '@puente/audit';
import type { ConsumedEvent } from '@puente/messaging';
import type { EntityManager } from 'typeorm';
import { type ExchangeKind, inboundTopics, NODE_CODE } from './exchange-kinds';
import { type EnvelopeClaims, type OpenedEnvelope, openEnvelope, type OpenResult, type RefusalReason } from './envelope';
import type { ExchangeWriter } from './exchange-writer';

/** Applies a verified envelope's effect through `tx` (the transaction of the inbox row). */
export type ExchangeEffect = (envelope: OpenedEnvelope, tx: EntityManager, event: ConsumedEvent) => Promise<void>;

/** Thrown by an effect whose payload cannot be read: the envelope is refused as `malformed`, nothing applied. */
export class EnvelopeContentError extends Error {
  override readonly name = 'EnvelopeContentError';
}

/**
 * Thrown by an effect that read the payload and may not apply it (more fields than the agreement
 * allows, a person the protection block covers): the envelope is refused with that reason,
 * audited and answered, and nothing of the effect is kept.
 */
export class EnvelopeRefusedError extends Error {
  override readonly name = 'EnvelopeRefusedError';
  constructor(readonly reason: Extract<RefusalReason, 'beyond-agreement' | 'protection-block' | 'malformed'>) {
    super(`envelope refused: ${reason}`);
  }
}

export type ReceiveOutcome =
  | { outcome: 'applied'; sender: string; kind: ExchangeKind; envelopeId: string }
  | { outcome: 'refused'; reason: RefusalReason; sender: string | null; envelopeId: string; answered: boolean };

export interface ExchangeReceiverOptions {
  writer: ExchangeWriter;
  audit: AuditLog;
  /** Effect per kind this node accepts; receipts are handled here. */
  effects: Partial<Record<Exclude<ExchangeKind, 'receipt'>, ExchangeEffect>>;
  /** Called after each envelope with its outcome (metrics). */
  onOutcome?: (result: ReceiveOutcome) => void;
  now?: () => Date;
}

const SOURCE_NODE = /^\/puente\/([a-z]{2})\//;

/**
 * The receiving side of the border, for a consumer of `puente.exchange.<own node>.*.v1`: opens
 * each envelope (signature against the registry, audience = this node, freshness, agreement),
 * refuses a replayed envelope id, then applies the kind's effect and answers with a signed
 * receipt, all in the consumer's transaction. A refused envelope is audited, reported and
 * answered with a signed refusal when the sender is a known node; nothing of it is applied.
 * Receipts from peers update what this node sent.
 */
export class ExchangeReceiver {
  constructor(private readonly options: ExchangeReceiverOptions) {}

  get node(): string {
    return this.options.writer.registry.node;
  }

  /** The exchange topics this node consumes on its own cluster. */
  get topics(): string[] {
    return inboundTopics(this.node);
  }

  async receive(event: ConsumedEvent, tx: EntityManager): Promise<ReceiveOutcome> {
    return (await this.receiveRun([event], tx))[0];
  }

  /**
   * A run of one partition's events, in order: decrypted and verified concurrently (WebCrypto
   * works on the thread pool), then applied one after the other.
   */
  async receiveRun(events: readonly ConsumedEvent[], tx: EntityManager): Promise<ReceiveOutcome[]> {
    const now = this.options.now?.() ?? new Date();
    const opened = await Promise.all(events.map((e) => openEnvelope(this.options.writer.registry, e.payload, { now })));
    const results: ReceiveOutcome[] = [];
    for (let i = 0; i < events.length; i++) {
      const result = await this.apply(events[i], opened[i], tx, now);
      this.options.onOutcome?.(result);
      results.push(result);
    }
    return results;
  }

  private async apply(event: ConsumedEvent, opened: OpenResult, tx: EntityManager, now: Date): Promise<ReceiveOutcome> {
    if (!opened.ok) return this.refuse(tx, event, opened.reason, opened.claims ?? {}, now);
    const envelope = opened.envelope;
    await tx.query('SAVEPOINT exchange_effect');
    const fresh: unknown[] = await tx.query(
      `INSERT INTO federation_received_envelope (envelope_id, sender, kind, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (envelope_id) DO NOTHING RETURNING 1`,
      [envelope.jti, envelope.iss, envelope.kind, now],
    );
    if (fresh.length === 0) return this.refuse(tx, event, 'replayed', envelope, now);
    try {
      if (envelope.kind === 'receipt') {
        await this.recordReceipt(envelope, tx);
      } else {
        const effect = this.options.effects[envelope.kind];
        if (!effect) {
          await tx.query('ROLLBACK TO SAVEPOINT exchange_effect');
          return this.refuse(tx, event, 'not-agreed', envelope, now);
        }
        await effect(envelope, tx, event);
        await this.answer(tx, event, envelope.iss, { envelopeId: envelope.jti, outcome: ReceiptOutcome.APPLIED, kind: envelope.kind }, now);
      }
    } catch (error) {
      if (!(error instanceof EnvelopeContentError) && !(error instanceof EnvelopeRefusedError)) throw error;
      // Nothing of the effect is kept, nor the envelope id: a copy is refused again for the same reason.
      await tx.query('ROLLBACK TO SAVEPOINT exchange_effect');
      return this.refuse(tx, event, error instanceof EnvelopeRefusedError ? error.reason : 'malformed', envelope, now);
    }
    await tx.query('RELEASE SAVEPOINT exchange_effect');
    return { outcome: 'applied', sender: envelope.iss, kind: envelope.kind, envelopeId: envelope.jti };
  }

  /** A peer's answer to an envelope this node sent; an applied receipt is never downgraded. */
  private async recordReceipt(envelope: OpenedEnvelope, tx: EntityManager): Promise<void> {
    let receipt: ExchangeReceipt;
    try {
      receipt = fromBinary(ExchangeReceiptSchema, envelope.payload);
    } catch {
      throw new EnvelopeContentError('receipt payload is not an ExchangeReceipt');
    }
    const outcome = receipt.outcome === ReceiptOutcome.APPLIED ? 'applied' : receipt.outcome === ReceiptOutcome.REFUSED ? 'refused' : null;
    if (!outcome) throw new EnvelopeContentError('receipt without an outcome');
    await tx.query(
      `UPDATE federation_sent_envelope SET receipt_outcome = $3, receipt_reason = NULLIF($4, ''), receipt_at = $5
       WHERE envelope_id::text = $1 AND peer = $2 AND (receipt_outcome IS NULL OR $3 = 'applied')`,
      [receipt.envelopeId, envelope.iss, outcome, outcome === 'refused' ? receipt.reason.slice(0, 64) : '', receipt.receivedAt ? fromTimestamp(receipt.receivedAt) : new Date(envelope.iat * 1000)],
    );
  }

  private async refuse(tx: EntityManager, event: ConsumedEvent, reason: RefusalReason, claims: Partial<EnvelopeClaims>, now: Date): Promise<ReceiveOutcome> {
    const registry = this.options.writer.registry;
    // Who signed it, if the signature was verified; else who the (unauthenticated) headers say sent it.
    const verified = !['malformed', 'unknown-recipient-key', 'tampered', 'unknown-sender', 'unknown-kid', 'key-not-yet-valid', 'key-retired', 'bad-signature'].includes(reason);
    const claimed = SOURCE_NODE.exec(event.source)?.[1]?.toUpperCase();
    const sender = verified && claims.iss ? claims.iss : claimed && NODE_CODE.test(claimed) ? claimed : null;
    const envelopeId = (verified && claims.jti) || event.id;
    const actor: AuditActor | null = verified && claims.iss ? { subject: `node:${claims.iss}`, clientId: `node:${claims.iss}`, partnerId: claims.iss } : null;
    await this.options.audit.append(tx, {
      action: `exchange-envelope.refuse`,
      objectType: 'exchange-envelope',
      objectId: OBJECT_ID_PATTERN.test(envelopeId) ? envelopeId : null,
      purpose: null,
      outcome: 'denied',
      actor,
      traceparent: event.traceparent ?? null,
      occurredAt: now,
    });
    // A receipt is not answered (no refusal ping-pong); an unknown node cannot be answered.
    const answerable = sender !== null && sender !== registry.node && registry.peers.includes(sender) && claims.kind !== 'receipt';
    if (answerable) {
      await this.answer(tx, event, sender, { envelopeId, outcome: ReceiptOutcome.REFUSED, reason, kind: verified ? (claims.kind ?? '') : '' }, now);
    }
    return { outcome: 'refused', reason, sender, envelopeId, answered: answerable };
  }

  private async answer(tx: EntityManager, event: ConsumedEvent, to: string, receipt: { envelopeId: string; outcome: ReceiptOutcome; reason?: string; kind: string }, now: Date): Promise<void> {
    const payload = encodeEvent(ExchangeReceiptSchema, { ...receipt, reason: receipt.reason ?? '', receivedAt: toTimestamp(now) });
    await this.options.writer.send(tx, { to, kind: 'receipt', key: event.key ?? receipt.envelopeId, payload, traceparent: event.traceparent });
  }
}
