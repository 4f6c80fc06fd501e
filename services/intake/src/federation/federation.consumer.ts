import { Controller, Inject, type Type } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Topics } from '@puente/contracts';
import { type ExchangeReceiver, exchangeTopic } from '@puente/federation';
import { type ConsumedEvent, type EventContext, eventSource } from '@puente/messaging';
import { EXCHANGE_RECEIVER } from './federation.tokens';
import { MatchKeyBorder } from './match-key-border';

/**
 * Intake's side of the border for node `node`: its own match-key events go out through the
 * border rules; envelopes addressed to it (match keys, retractions, receipts) come in through
 * the exchange receiver. Topic names depend on the node, hence a class per node.
 */
export function federationConsumerClass(node: string): Type<unknown> {
  const ownSource = eventSource(node, 'intake');

  @Controller()
  class IntakeFederationConsumer {
    constructor(
      private readonly border: MatchKeyBorder,
      @Inject(EXCHANGE_RECEIVER) private readonly receiver: ExchangeReceiver,
    ) {}

    @EventPattern(Topics.intakeMatchKeys.name, { types: ['puente.intake.v1.MatchKeysPublished', 'puente.intake.v1.MatchKeysWithdrawn'] })
    async onOwnMatchKeys(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
      // Peers' keys arrive on this topic too (as the peer's events): they never go out again.
      if (event.source !== ownSource) return;
      await this.border.onOwnEvent(event, tx);
    }

    // A run of envelopes at once: opened concurrently, then applied in order.
    @EventPattern(exchangeTopic(node, 'match-keys'), { batch: true })
    async onMatchKeyEnvelopes(@Payload() events: ConsumedEvent[], @Ctx() { manager: tx }: EventContext): Promise<void> {
      await this.receiver.receiveRun(events, tx);
    }

    @EventPattern(exchangeTopic(node, 'receipt'), { batch: true })
    async onReceipts(@Payload() events: ConsumedEvent[], @Ctx() { manager: tx }: EventContext): Promise<void> {
      await this.receiver.receiveRun(events, tx);
    }
  }
  return IntakeFederationConsumer;
}
