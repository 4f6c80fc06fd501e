import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { AuditLog } from '@puente/audit';
import {
  EXCHANGE_KINDS,
  ExchangeReceiver,
  exchangeTopicDeclarations,
  exchangeAsyncApiProvider,
  ExchangeWriter,
  FederationMetrics,
  federationEnabled,
  loadNodeRegistry,
  receiveReportShare,
  witnessAuditCheckpoint,
  type NodeRegistry,
} from '@puente/federation';
import { eventSource } from '@puente/messaging';
import { METRICS_REGISTRY, ServiceConfig } from '@puente/platform';
import { ReportsService } from '@puente/reports';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { MatchKeyPublication } from '../duplicates/match-key-publication';
import { IntakeEvents } from '../events/intake-events';
import { INTAKE_REPORTS } from '../reports/intake-reports';
import { RetractionNotices } from '../retractions/retraction-notices';
import { ProtectionOverridesController } from '../protection/protection-overrides.controller';
import { ProtectionOverrides } from '../protection/protection-overrides.service';
import { AuditCheckpoints } from './audit-checkpoints';
import { ReportSharesController } from './report-shares.controller';
import { MatchKeyArrivals, RetractionArrivals } from './exchange-effects';
import { federationConsumerClass } from './federation.consumer';
import { EXCHANGE_RECEIVER, EXCHANGE_WRITER, NODE_REGISTRY } from './federation.tokens';
import { MatchKeyBorder } from './match-key-border';

/** Exchange topics intake needs on its own cluster (created at start like the others). */
export function intakeFederationTopics(env: NodeJS.ProcessEnv = process.env): { name: string; partitions: number }[] {
  if (!federationEnabled(env)) return [];
  const registry = loadNodeRegistry(env);
  const aggregates: string[] = [EXCHANGE_KINDS['match-keys'].aggregate, EXCHANGE_KINDS.receipt.aggregate, EXCHANGE_KINDS.retraction.aggregate, EXCHANGE_KINDS['audit-checkpoint'].aggregate, EXCHANGE_KINDS['report-share'].aggregate];
  return exchangeTopicDeclarations(registry.node, registry.peers).filter((t) => aggregates.includes(t.name.split('.')[3]));
}

@Module({})
export class IntakeFederationModule {
  /** Match keys across the border (see docs/federation.md); nothing when federation is off. */
  static forRoot(env: NodeJS.ProcessEnv = process.env): DynamicModule {
    if (!federationEnabled(env)) {
      new Logger('Federation').log('no FEDERATION_REGISTRY_FILE: this node exchanges nothing with other nodes');
      return { module: IntakeFederationModule };
    }
    const registry = loadNodeRegistry(env);
    return {
      module: IntakeFederationModule,
      controllers: [federationConsumerClass(registry.node), ProtectionOverridesController, ReportSharesController],
      providers: [
        { provide: NODE_REGISTRY, useValue: registry },
        { provide: EXCHANGE_WRITER, useFactory: (r: NodeRegistry) => new ExchangeWriter(r, eventSource(r.node, 'intake')), inject: [NODE_REGISTRY] },
        { provide: FederationMetrics, useFactory: (metrics: Registry, ds: DataSource) => new FederationMetrics(metrics, ds), inject: [METRICS_REGISTRY, DataSource] },
        {
          provide: EXCHANGE_RECEIVER,
          useFactory: (writer: ExchangeWriter, audit: AuditLog, arrivals: MatchKeyArrivals, retractions: RetractionArrivals, metrics: FederationMetrics) =>
            new ExchangeReceiver({
              writer,
              audit,
              effects: {
                'match-keys': (e, tx) => arrivals.apply(e, tx),
                'match-keys-retraction': (e, tx) => arrivals.apply(e, tx),
                retraction: (e, tx) => retractions.apply(e, tx),
                'audit-checkpoint': (e, tx) => witnessAuditCheckpoint(e, tx),
                'report-share': (e, tx) => receiveReportShare(e, tx),
              },
              onOutcome: (r) => metrics.record(r),
            }),
          inject: [EXCHANGE_WRITER, AuditLog, MatchKeyArrivals, RetractionArrivals, FederationMetrics],
        },
        exchangeAsyncApiProvider,
        MatchKeyPublication,
        MatchKeyBorder,
        MatchKeyArrivals,
        RetractionArrivals,
        RetractionNotices,
        IntakeEvents,
        ProtectionOverrides,
        AuditCheckpoints,
        { provide: ReportsService, inject: [DataSource, ServiceConfig], useFactory: (ds: DataSource, config: ServiceConfig) => new ReportsService(INTAKE_REPORTS, ds, config.PUENTE_NODE) },
      ],
    };
  }
}
