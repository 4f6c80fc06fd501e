import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { OutboxWriter } from '@puente/messaging';
import type { EntityManager } from 'typeorm';
import type { PartnerRecord } from '../directory/directory.service';
import type { DeliveryChannel } from '../directory/vocabulary';

/** What a partner's system is told: a Standard Webhooks-style `{ type, timestamp, data }` message. */
export interface PartnerNotice {
  /** e.g. `referral.requested`, `referral.cancelled`, `referral.message_posted`. */
  type: string;
  referralId: string;
  caseId: string;
  /** Minimized: what the partner's agreement and the person's consents allow, nothing else. */
  data: Record<string, unknown>;
  at: Date;
}

/** JSON body of a notice, the same on the webhook and on the partner's Kafka topic. */
export function noticeBody(notice: PartnerNotice): { type: string; timestamp: string; data: Record<string, unknown> } {
  return { type: notice.type, timestamp: notice.at.toISOString(), data: notice.data };
}

/** ce_type of a notice on a partner's topic, e.g. `puente.partner.v1.referral.requested`. */
export function partnerEventType(type: string): string {
  return `puente.partner.v1.${type}`;
}

/**
 * Queues notices for a partner's system in the caller's transaction, on every channel it uses:
 * a webhook delivery row (sent later by WebhookDispatcher), a JSON record on its own topic
 * through the service outbox, or nothing for REST pull (the partner reads its referrals).
 * Nothing here talks to the network.
 */
@Injectable()
export class DeliveryQueue {
  constructor(private readonly outbox: OutboxWriter) {}

  async enqueue(tx: EntityManager, partner: PartnerRecord, notice: PartnerNotice, traceparent?: string): Promise<DeliveryChannel[]> {
    const channels = partner.delivery.channels;
    if (channels.includes('webhook') && partner.delivery.webhookUrl) {
      await tx.query(
        `INSERT INTO referral_delivery (id, partner_id, referral_id, case_id, event_type, payload, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp())`,
        [randomUUID(), partner.id, notice.referralId, notice.caseId, notice.type, JSON.stringify(noticeBody(notice))],
      );
    }
    if (channels.includes('kafka')) {
      await this.outbox.append(tx, {
        topic: partner.delivery.kafkaTopic,
        key: notice.referralId,
        type: partnerEventType(notice.type),
        payload: Buffer.from(JSON.stringify(noticeBody(notice))),
        contentType: 'application/json',
        time: notice.at,
        traceparent,
      });
    }
    return [...channels];
  }
}
