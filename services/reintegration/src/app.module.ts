import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { AuditModule, auditEntities, auditMigrations } from '@puente/audit';
import { AuthModule } from '@puente/auth';
import { Topics } from '@puente/contracts';
import { federationMigrations } from '@puente/federation';
import { MessagingModule, messagingEntities, messagingMigrations } from '@puente/messaging';
import { PlatformModule, platformEntities, platformMigrations } from '@puente/platform';
import { privacyEntities, privacyMigrations } from '@puente/privacy';
import { ReportsModule } from '@puente/reports';
import type { DestinationStream } from 'pino';
import { AvrModule } from './avr/avr.module';
import { Clock, ClockModule } from './common/clock';
import { ReintegrationConfig } from './config/reintegration.config';
import { reintegrationMigrations } from './migrations';
import { ReintegrationFederationModule, reintegrationFederationTopics } from './federation/reintegration-federation';
import { EmploymentModule } from './matching/matching.module';
import { PlanEntity } from './plans/plan.entity';
import { PlansModule } from './plans/plans.module';
import { RegistryModule } from './registry/registry.module';
import { REINTEGRATION_REPORTS } from './reports/reintegration-reports';

/** Name, OpenAPI title and description of this service. */
export const SERVICE = {
  name: 'reintegration',
  title: 'Puente Reintegration',
  description:
    'Reintegration of returned persons and households, from reception check-in (PersonCheckedIn) or a caseworker, with a reintegration_support consent in force: plans with members, goals, partner programs and coded specific needs (women, children, indigenous people), status draft/active/on_hold/completed/dropped; tasks (documents, school re-enrollment, psychosocial sessions, social programs, bank or mobile-money account, housing) with due dates and owners; follow-ups at 1, 3, 6 and 12 months scored on the economic, social and psychosocial dimensions of sustainable reintegration, overdue detection, and plans closed with an outcome for the referring reception center; skills profiles (encrypted), job openings, matching with explanations and placements; assisted voluntary return packages requested at the host node and paid out stage by stage at the origin node (signed and encrypted envelopes between nodes, protection block at the border). Erasure at intake shreds what reintegration holds.',
} as const;

/**
 * The feature modules, one line each (registry first: every feature reads consents and persons
 * and reacts to erasures through it). A feature owns its folder under src/, its migrations
 * (listed in migrations/index.ts) and its spec files.
 */
export const REINTEGRATION_FEATURES: Type[] = [
  RegistryModule,
  PlansModule,
  AvrModule,
  EmploymentModule,
];

export interface ReintegrationAppOptions {
  /** Kafka consumer group (default `puente.reintegration`); tests use their own. */
  consumerGroup?: string;
  /** Where JSON logs go (default stdout); tests capture them. */
  logDestination?: DestinationStream;
  /** What time it is (default the system clock); tests move time with their own. */
  clock?: Clock;
}

/** TypeORM entities of the features (most use SQL; entities where pagination needs them). */
export const reintegrationEntities = [PlanEntity];

/** The reintegration service: platform, auth, audit, privacy, messaging (plan events out, intake and reception events in) and its features. */
export function reintegrationAppModule(options: ReintegrationAppOptions = {}): DynamicModule {
  return {
    module: class ReintegrationAppModule {},
    imports: [
      PlatformModule.forRoot({
        service: SERVICE.name,
        config: ReintegrationConfig,
        logDestination: options.logDestination,
        entities: [...platformEntities, ...messagingEntities, ...auditEntities, ...privacyEntities, ...reintegrationEntities],
        migrations: [...platformMigrations, ...messagingMigrations, ...auditMigrations, ...privacyMigrations, ...federationMigrations, ...reintegrationMigrations],
        imports: [
          MessagingModule.forRoot({ topics: [Topics.reintegrationPlan, Topics.intakeCase, Topics.receptionArrival, Topics.directory, ...reintegrationFederationTopics()], consumerGroup: options.consumerGroup }),
          AuthModule.forRoot({ service: SERVICE.name }),
          AuditModule.forRoot(),
        ],
      }),
      ClockModule.forRoot(options.clock),
      ReintegrationFederationModule.forRoot(),
      ...REINTEGRATION_FEATURES,
      // Aggregate outcome reports (GET /v1/reports…, reports:read), small cells suppressed.
      ReportsModule.forRoot(REINTEGRATION_REPORTS),
    ],
  };
}

@Module({ imports: [reintegrationAppModule()] })
export class AppModule {}
