import { Controller, Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit, type Provider, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { fromBinary } from '@bufbuild/protobuf';
import { AuditLog } from '@puente/audit';
import { CaseStatus, CaseStatusChangedSchema, ConsentPurpose, ConsentWithdrawnSchema, fromTimestamp, PersonErasedSchema, Topics } from '@puente/contracts';
import { EXCHANGE_KINDS, ExchangeReceiver, exchangeTopic, exchangeTopicDeclarations, ExchangeWriter, FederationMetrics, federationEnabled, loadNodeRegistry, type NodeRegistry } from '@puente/federation';
import { type ConsumedEvent, type EventContext, eventSource } from '@puente/messaging';
import { serializeError } from '@puente/platform';
import { type CaseStatusValue, toRest } from '../common/enums';
import { RetractionArrivals } from '../federation/exchange-effects';
import { TransfersController } from './transfers.controller';
import { TRANSFER_REGISTRY, TRANSFER_WRITER, TransfersService } from './transfers.service';

const TRANSFER_RECEIVER = 'puente:transfers:EXCHANGE_RECEIVER';

/** Exchange topics custody transfers need on this node's cluster (to and from each peer). */
export function intakeTransferTopics(env: NodeJS.ProcessEnv = process.env): { name: string; partitions: number }[] {
  if (!federationEnabled(env)) return [];
  const registry = loadNodeRegistry(env);
  return exchangeTopicDeclarations(registry.node, registry.peers).filter((t) => t.name.split('.')[3] === EXCHANGE_KINDS['custody-transfer'].aggregate);
}

/** Transfer envelopes addressed to `node`, and this node's own consent withdrawals and erasures (a transfer not accepted yet is withdrawn). */
function consumerClass(node: string): Type<unknown> {
  const ownSource = eventSource(node, 'intake');

  @Controller()
  class TransferConsumer {
    constructor(
      @Inject(TRANSFER_RECEIVER) private readonly receiver: ExchangeReceiver,
      private readonly transfers: TransfersService,
    ) {}

    @EventPattern(exchangeTopic(node, 'custody-transfer'), { batch: true })
    async onTransferEnvelopes(@Payload() events: ConsumedEvent[], @Ctx() { manager: tx }: EventContext): Promise<void> {
      await this.receiver.receiveRun(events, tx);
    }

    @EventPattern(Topics.intakeCase.name, { types: [ConsentWithdrawnSchema.typeName] })
    async onConsentWithdrawn(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
      if (event.source !== ownSource || !event.key) return;
      if (fromBinary(ConsentWithdrawnSchema, event.payload).purpose !== ConsentPurpose.CROSS_BORDER_TRANSFER) return;
      await this.transfers.onCaseLostGround(tx, event.key, 'consent_withdrawn');
    }

    /** A status change of a case a transfer opened here may go back to the origin (transfer follow-ups). */
    @EventPattern(Topics.intakeCase.name, { types: [CaseStatusChangedSchema.typeName] })
    async onCaseStatusChanged(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
      if (event.source !== ownSource || !event.key) return;
      const changed = fromBinary(CaseStatusChangedSchema, event.payload);
      const status = toRest(CaseStatus, changed.toStatus) as CaseStatusValue;
      await this.transfers.onCaseStatusChanged(tx, event.key, { id: event.id, type: CaseStatusChangedSchema.typeName, status, at: changed.changedAt ? fromTimestamp(changed.changedAt) : new Date() });
    }

    @EventPattern(Topics.intakeCase.name, { types: [PersonErasedSchema.typeName] })
    async onPersonErased(@Payload() event: ConsumedEvent, @Ctx() { manager: tx }: EventContext): Promise<void> {
      if (event.source !== ownSource || !event.key) return;
      await this.transfers.onCaseLostGround(tx, event.key, 'person_erased');
    }
  }
  return TransferConsumer;
}

/** Expires pending inbound transfers past this node's SLA, once a minute. */
@Injectable()
export class TransferExpiry implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private readonly logger = new Logger('TransferExpiry');

  constructor(private readonly transfers: TransfersService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.transfers.expireDue().catch((error: unknown) => this.logger.warn({ err: serializeError(error) }, 'transfer expiry round failed; next round in a minute'));
    }, 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}

/** A retraction notice from a peer also drops that peer's pending packages naming the person (see TransfersService.onRetraction). */
@Injectable()
export class TransferRetractions implements OnModuleInit {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly transfers: TransfersService,
  ) {}

  onModuleInit(): void {
    // RetractionArrivals belongs to the federation module, a sibling of this one.
    this.moduleRef.get(RetractionArrivals, { strict: false }).also((sender, personId, tx) => this.transfers.onRetraction(sender, personId, tx));
  }
}

/**
 * Custody transfers in intake (which holds the case): the API, the service, and, with
 * federation on, the exchange writer and receiver of the `custody-transfer` kind.
 */
export function transfersParts(env: NodeJS.ProcessEnv = process.env): { controllers: Type<unknown>[]; providers: Provider[] } {
  if (!federationEnabled(env)) return { controllers: [TransfersController], providers: [TransfersService] };
  const registry = loadNodeRegistry(env);
  return {
    controllers: [TransfersController, consumerClass(registry.node)],
    providers: [
      TransfersService,
      TransferExpiry,
      TransferRetractions,
      { provide: TRANSFER_REGISTRY, useValue: registry },
      { provide: TRANSFER_WRITER, useFactory: (r: NodeRegistry) => new ExchangeWriter(r, eventSource(r.node, 'intake')), inject: [TRANSFER_REGISTRY] },
      {
        provide: TRANSFER_RECEIVER,
        useFactory: (writer: ExchangeWriter, audit: AuditLog, transfers: TransfersService, metrics?: FederationMetrics) =>
          new ExchangeReceiver({
            writer,
            audit,
            effects: { 'custody-transfer': (e, tx) => transfers.arrive(e, tx), 'transfer-followup': (e, tx) => transfers.arrive(e, tx) },
            onOutcome: (r) => metrics?.record(r),
          }),
        inject: [TRANSFER_WRITER, AuditLog, TransfersService, { token: FederationMetrics, optional: true }],
      },
    ],
  };
}
