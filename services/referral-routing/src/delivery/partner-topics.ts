import { Inject, Injectable } from '@nestjs/common';
import { BROKER_CLIENT, type BrokerClient, ensureTopics } from '@puente/messaging';

/** Partitions of a partner's own topic (keyed by referral id). */
export const PARTNER_TOPIC_PARTITIONS = 3;

/**
 * Creates partners' own topics (`puente.partner.<partnerId>.v1`) before anything is written for
 * them: the broker does not create topics on first use, and the outbox relay must find the topic
 * when it publishes. Called before a referral's transaction, never inside one.
 */
@Injectable()
export class PartnerTopics {
  private readonly known = new Set<string>();

  constructor(@Inject(BROKER_CLIENT) private readonly broker: BrokerClient) {}

  async ensure(topic: string): Promise<void> {
    if (this.known.has(topic)) return;
    await ensureTopics(this.broker, [{ name: topic, partitions: PARTNER_TOPIC_PARTITIONS }]);
    this.known.add(topic);
  }
}
