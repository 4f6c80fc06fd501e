import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule, auditEntities, auditMigrations } from '@puente/audit';
import { AuthModule } from '@puente/auth';
import { Topics } from '@puente/contracts';
import { MessagingModule, messagingEntities, messagingMigrations } from '@puente/messaging';
import { PlatformModule, platformEntities, platformMigrations } from '@puente/platform';
import { privacyEntities, privacyMigrations } from '@puente/privacy';
import { ReportsModule } from '@puente/reports';
import type { DestinationStream } from 'pino';
import { ArrivalsModule } from './arrivals/arrivals.module';
import { Center } from './centers/center.entity';
import { CentersModule } from './centers/centers.module';
import { ReceptionConfig } from './config/reception.config';
import { ManifestsModule } from './manifests/manifests.module';
import { OutcomesModule } from './outcomes/outcomes.module';
import { ReintegrationOutcome } from './outcomes/reintegration-outcome.entity';
import { receptionMigrations } from './migrations';
import { RECEPTION_REPORTS } from './reports/reception-reports';

/** Name, OpenAPI title and description of this service. */
export const SERVICE = {
  name: 'reception',
  title: 'Puente Reception',
  description:
    'Reception centers for returned nationals (airports, land borders, shelters) with capacity and services; returning countries\' manifests, registered or matched through intake (reception keeps person and case ids only); check-in from several desks, consents, services delivered, protection concerns, child-protection hand-overs and the operations view per center and day.',
} as const;

export const receptionEntities = [Center, ReintegrationOutcome];

export interface ReceptionAppOptions {
  /** Kafka consumer group (default `puente.reception`); tests use their own. */
  consumerGroup?: string;
  /** Where JSON logs go (default stdout); tests capture them. */
  logDestination?: DestinationStream;
}

/** The reception service: platform, auth, audit, privacy, messaging (arrival events out) and its features. */
export function receptionAppModule(options: ReceptionAppOptions = {}): DynamicModule {
  return {
    module: class ReceptionAppModule {},
    imports: [
      PlatformModule.forRoot({
        service: SERVICE.name,
        config: ReceptionConfig,
        logDestination: options.logDestination,
        entities: [...platformEntities, ...messagingEntities, ...auditEntities, ...privacyEntities, ...receptionEntities],
        migrations: [...platformMigrations, ...messagingMigrations, ...auditMigrations, ...privacyMigrations, ...receptionMigrations],
        imports: [
          MessagingModule.forRoot({ topics: [Topics.receptionArrival, Topics.reintegrationPlan], consumerGroup: options.consumerGroup }),
          AuthModule.forRoot({ service: SERVICE.name }),
          AuditModule.forRoot(),
        ],
      }),
      CentersModule,
      ManifestsModule,
      ArrivalsModule,
      OutcomesModule,
      ReportsModule.forRoot(RECEPTION_REPORTS),
    ],
  };
}

@Module({ imports: [receptionAppModule()] })
export class AppModule {}
