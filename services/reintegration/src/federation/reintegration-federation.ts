import { Controller, type DynamicModule, Global, Inject, Injectable, Logger, Module, Optional, type Type } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AuditLog } from '@puente/audit';
import {
  EXCHANGE_KINDS,
  type ExchangeEffect,
  ExchangeReceiver,
  exchangeAsyncApiProvider,
  exchangeTopic,
  exchangeTopicDeclarations,
  ExchangeWriter,
  FederationMetrics,
  federationEnabled,
  loadNodeRegistry,
  type NodeRegistry,
} from '@puente/federation';
import { type ConsumedEvent, type EventContext, eventSource } from '@puente/messaging';
import { METRICS_REGISTRY } from '@puente/platform';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';

const NODE_REGISTRY = 'puente:reintegration:NODE_REGISTRY';
const EXCHANGE_WRITER = 'puente:reintegration:EXCHANGE_WRITER';
const EXCHANGE_RECEIVER = 'puente:reintegration:EXCHANGE_RECEIVER';

/** The exchange kinds reintegration sends and receives. */
export type ReintegrationKind = 'avr' | 'reintegration-outcome';

/**
 * Reintegration's side of the border: the node registry and exchange writer features send
 * with, and the effects they register for what arrives (each feature registers its kind once,
 * in onModuleInit). Without federation (a production node without a registry) `registry` and
 * `writer` are undefined and nothing crosses.
 */
@Injectable()
export class ReintegrationBorder {
  /** Read by the receiver at each envelope, so effects registered after it was built apply. */
  readonly effects: Partial<Record<ReintegrationKind, ExchangeEffect>> = {};

  constructor(
    @Optional() @Inject(NODE_REGISTRY) readonly registry?: NodeRegistry,
    @Optional() @Inject(EXCHANGE_WRITER) readonly writer?: ExchangeWriter,
  ) {}

  on(kind: ReintegrationKind, effect: ExchangeEffect): void {
    this.effects[kind] = effect;
  }

  /** The registry and writer when `kind` may go to `peer` (agreed, and federation on). */
  toward(peer: string, kind: ReintegrationKind): { registry: NodeRegistry; writer: ExchangeWriter } | undefined {
    if (!this.registry || !this.writer || peer === this.registry.node || !this.registry.maySend(peer, kind)) return undefined;
    return { registry: this.registry, writer: this.writer };
  }
}

/** Exchange topics reintegration needs on its own cluster: its aggregate to and from each peer, and receipts. */
export function reintegrationFederationTopics(env: NodeJS.ProcessEnv = process.env): { name: string; partitions: number }[] {
  if (!federationEnabled(env)) return [];
  const registry = loadNodeRegistry(env);
  const aggregates: string[] = [EXCHANGE_KINDS.avr.aggregate, EXCHANGE_KINDS.receipt.aggregate];
  return exchangeTopicDeclarations(registry.node, registry.peers).filter((t) => aggregates.includes(t.name.split('.')[3]));
}

/** Reintegration envelopes and receipts addressed to `node` (topic names depend on the node, hence a class per node). */
function consumerClass(node: string): Type<unknown> {
  @Controller()
  class ReintegrationExchangeConsumer {
    constructor(@Inject(EXCHANGE_RECEIVER) private readonly receiver: ExchangeReceiver) {}

    @EventPattern(exchangeTopic(node, 'avr'), { batch: true })
    async onEnvelopes(@Payload() events: ConsumedEvent[], @Ctx() { manager: tx }: EventContext): Promise<void> {
      await this.receiver.receiveRun(events, tx);
    }

    @EventPattern(exchangeTopic(node, 'receipt'), { batch: true })
    async onReceipts(@Payload() events: ConsumedEvent[], @Ctx() { manager: tx }: EventContext): Promise<void> {
      await this.receiver.receiveRun(events, tx);
    }
  }
  return ReintegrationExchangeConsumer;
}

@Global()
@Module({})
export class ReintegrationFederationModule {
  /** Assisted return packages and plan outcomes across the border (docs/reintegration.md). */
  static forRoot(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    if (!federationEnabled(env)) {
      new Logger('Federation').log('no FEDERATION_REGISTRY_FILE: reintegration exchanges nothing with other nodes');
      return { module: ReintegrationFederationModule, providers: [ReintegrationBorder], exports: [ReintegrationBorder] };
    }
    const registry = loadNodeRegistry(env);
    return {
      module: ReintegrationFederationModule,
      controllers: [consumerClass(registry.node)],
      providers: [
        { provide: NODE_REGISTRY, useValue: registry },
        { provide: EXCHANGE_WRITER, useFactory: (r: NodeRegistry) => new ExchangeWriter(r, eventSource(r.node, 'reintegration')), inject: [NODE_REGISTRY] },
        { provide: FederationMetrics, useFactory: (metrics: Registry, ds: DataSource) => new FederationMetrics(metrics, ds), inject: [METRICS_REGISTRY, DataSource] },
        ReintegrationBorder,
        {
          provide: EXCHANGE_RECEIVER,
          useFactory: (writer: ExchangeWriter, audit: AuditLog, border: ReintegrationBorder, metrics: FederationMetrics) =>
            new ExchangeReceiver({ writer, audit, effects: border.effects, onOutcome: (r) => metrics.record(r) }),
          inject: [EXCHANGE_WRITER, AuditLog, ReintegrationBorder, FederationMetrics],
        },
        exchangeAsyncApiProvider,
      ],
      exports: [ReintegrationBorder],
    };
  }
}
