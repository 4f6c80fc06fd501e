import { Controller, Inject, type Type } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { decodeEvent, encodeEvent, RetractionNoticeSchema, RetractionReceiverType, Topics } from '@puente/contracts';
import { attachEnvelope, type ExchangeReceiver, type ExchangeWriter, exchangeTopic, findNotice, receiptNodeNotices } from '@puente/federation';
import { type ConsumedEvent, type EventContext, eventSource } from '@puente/messaging';
import { IntakeEvents } from '../events/intake-events';
import { RetractionNotices } from '../retractions/retraction-notices';
import { EXCHANGE_RECEIVER, EXCHANGE_WRITER } from './federation.tokens';
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
      @Inject(EXCHANGE_WRITER) private readonly writer: ExchangeWriter,
      private readonly retractions: RetractionNotices,
      private readonly events: IntakeEvents,
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

    // Peers' retraction notices: what they delivered here about one of their persons is deleted.
    @EventPattern(exchangeTopic(node, 'retraction'), { batch: true })
    async onRetractions(@Payload() events: ConsumedEvent[], @Ctx() { manager: tx }: EventContext): Promise<void> {
      await this.receiver.receiveRun(events, tx);
    }

    // Peers' audit heads, kept as witnessed.
    @EventPattern(exchangeTopic(node, 'audit-checkpoint'), { batch: true })
    async onAuditCheckpoints(@Payload() events: ConsumedEvent[], @Ctx() { manager: tx }: EventContext): Promise<void> {
      await this.receiver.receiveRun(events, tx);
    }

    // Peers' aggregate reports, stored for this node's planners (GET /v1/shared-reports).
    @EventPattern(exchangeTopic(node, 'report-share'), { batch: true })
    async onReportShares(@Payload() events: ConsumedEvent[], @Ctx() { manager: tx }: EventContext): Promise<void> {
      await this.receiver.receiveRun(events, tx);
    }

    @EventPattern(exchangeTopic(node, 'receipt'), { batch: true })
    async onReceipts(@Payload() events: ConsumedEvent[], @Ctx() { manager: tx }: EventContext): Promise<void> {
      await this.receiver.receiveRun(events, tx);
      // Receipts for retraction notices close them; the case hears of it (RetractionReceipted).
      const receipted = await receiptNodeNotices(tx);
      if (receipted.length > 0) await this.events.append(tx, events[0]?.traceparent, this.retractions.receipted(receipted));
    }

    /**
     * This node's own notices to nodes for deliveries other than match keys (match-key notices
     * travel with the match-key retraction): sent as a sealed RetractionNotice.
     */
    @EventPattern(Topics.retraction.name, { types: ['puente.referral.v1.RetractionSent'] })
    async onOwnRetraction(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
      if (event.source !== ownSource) return;
      const sent = decodeEvent('puente.referral.v1.RetractionSent', event.payload);
      if (sent.receiverType !== RetractionReceiverType.NODE) return;
      const notice = await findNotice(tx, sent.noticeId);
      if (!notice || notice.route !== 'retraction' || notice.envelopeId) return;
      const payload = encodeEvent(RetractionNoticeSchema, { noticeId: notice.noticeId, personId: notice.personId, caseId: notice.caseId ?? '', sentAt: sent.sentAt });
      const [envelopeId] = await this.writer.send(tx, { to: notice.receiver, kind: 'retraction', key: notice.personId, payload, traceparent: event.traceparent });
      await attachEnvelope(tx, [notice.noticeId], envelopeId);
    }
  }
  return IntakeFederationConsumer;
}
