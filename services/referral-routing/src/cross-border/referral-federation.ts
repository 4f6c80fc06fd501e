import { Controller, Inject, type Provider, type Type } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AuditLog } from '@puente/audit';
import {
  EXCHANGE_KINDS,
  ExchangeReceiver,
  exchangeTopic,
  exchangeTopicDeclarations,
  ExchangeWriter,
  FederationMetrics,
  federationEnabled,
  loadNodeRegistry,
  type NodeRegistry,
  receiptNodeNotices,
} from '@puente/federation';
import { type ConsumedEvent, type EventContext, eventSource } from '@puente/messaging';
import { METRICS_REGISTRY } from '@puente/platform';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { RoutingRetractions } from '../retractions/routing-retractions';
import { CrossBorderArrivals } from './cross-border-arrivals';
import { EXCHANGE_WRITER, NODE_REGISTRY } from './cross-border-link';
import { ReferralRetractionArrivals } from './retraction-arrivals';

const EXCHANGE_RECEIVER = 'puente:federation:EXCHANGE_RECEIVER';

/** Exchange topics referral routing needs on its own cluster: referrals to and from each peer, and receipts. */
export function referralFederationTopics(env: NodeJS.ProcessEnv = process.env): { name: string; partitions: number }[] {
  if (!federationEnabled(env)) return [];
  const registry = loadNodeRegistry(env);
  const aggregates: string[] = [EXCHANGE_KINDS.referral.aggregate, EXCHANGE_KINDS.receipt.aggregate];
  return exchangeTopicDeclarations(registry.node, registry.peers).filter((t) => aggregates.includes(t.name.split('.')[3]));
}

/**
 * Referral envelopes (requests, updates, retractions of cross-border referrals) and receipts
 * addressed to `node` (topic names depend on the node, hence a class per node).
 */
function consumerClass(node: string): Type<unknown> {
  @Controller()
  class ReferralExchangeConsumer {
    constructor(
      @Inject(EXCHANGE_RECEIVER) private readonly receiver: ExchangeReceiver,
      private readonly retractions: RoutingRetractions,
    ) {}

    @EventPattern(exchangeTopic(node, 'referral'), { batch: true })
    async onReferralEnvelopes(@Payload() events: ConsumedEvent[], @Ctx() { manager: tx }: EventContext): Promise<void> {
      await this.receiver.receiveRun(events, tx);
    }

    @EventPattern(exchangeTopic(node, 'receipt'), { batch: true })
    async onReceipts(@Payload() events: ConsumedEvent[], @Ctx() { manager: tx }: EventContext): Promise<void> {
      await this.receiver.receiveRun(events, tx);
      // An applied receipt for a retraction's envelope closes its notice (RetractionReceipted).
      await this.retractions.receiptNodeNotices(tx, await receiptNodeNotices(tx), events[0]?.traceparent);
    }
  }
  return ReferralExchangeConsumer;
}

/**
 * Cross-border referrals' part of referral routing (see docs/federation.md): the node registry,
 * the exchange writer and receiver, and the consumer of this node's referral envelopes and
 * receipts. Nothing when federation is off (a production node without a registry).
 */
export function referralFederation(env: NodeJS.ProcessEnv = process.env): { controllers: Type<unknown>[]; providers: Provider[] } {
  if (!federationEnabled(env)) return { controllers: [], providers: [] };
  const registry = loadNodeRegistry(env);
  return {
    controllers: [consumerClass(registry.node)],
    providers: [
      { provide: NODE_REGISTRY, useValue: registry },
      { provide: EXCHANGE_WRITER, useFactory: (r: NodeRegistry) => new ExchangeWriter(r, eventSource(r.node, 'referral-routing')), inject: [NODE_REGISTRY] },
      { provide: FederationMetrics, useFactory: (metrics: Registry, ds: DataSource) => new FederationMetrics(metrics, ds), inject: [METRICS_REGISTRY, DataSource] },
      CrossBorderArrivals,
      ReferralRetractionArrivals,
      {
        provide: EXCHANGE_RECEIVER,
        useFactory: (writer: ExchangeWriter, audit: AuditLog, arrivals: CrossBorderArrivals, retractions: ReferralRetractionArrivals, metrics: FederationMetrics) =>
          new ExchangeReceiver({
            writer,
            audit,
            effects: { referral: (e, tx) => arrivals.apply(e, tx), 'referral-retraction': (e, tx) => retractions.apply(e, tx) },
            onOutcome: (r) => metrics.record(r),
          }),
        inject: [EXCHANGE_WRITER, AuditLog, CrossBorderArrivals, ReferralRetractionArrivals, FederationMetrics],
      },
    ],
  };
}
