import { type DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { AuditModule, auditEntities, auditMigrations } from '@puente/audit';
import { AuthModule } from '@puente/auth';
import { Topics } from '@puente/contracts';
import { MessagingModule, messagingEntities, messagingMigrations } from '@puente/messaging';
import { PlatformModule, platformEntities, platformMigrations } from '@puente/platform';
import { privacyEntities, privacyMigrations } from '@puente/privacy';
import { ReportsModule } from '@puente/reports';
import { CaseConsentEntity, CaseRecordEntity } from './case-registry/case-record.entity';
import { screeningMigrations } from './migrations';
import { QuestionnaireVersionEntity } from './questionnaires/questionnaire-version.entity';
import { QuestionnairesModule } from './questionnaires/questionnaires.module';
import { ScreeningEntity } from './screenings/screening.entity';
import { SCREENING_REPORTS } from './reports/screening-reports';
import { ScreeningsModule } from './screenings/screenings.module';

/** Name, OpenAPI title and description of this service. */
export const SERVICE = {
  name: 'screening',
  title: 'Puente Screening',
  description:
    'Protection screening with versioned questionnaires (rules as data): vulnerability flags, risk level and recommended pathways, each with its reasons.',
} as const;

export const screeningEntities = [QuestionnaireVersionEntity, CaseRecordEntity, CaseConsentEntity, ScreeningEntity];

export interface ScreeningAppOptions {
  /** Kafka consumer group (default `puente.screening`); tests use their own. */
  consumerGroup?: string;
  /** Where JSON logs go (default stdout); tests capture them. */
  logDestination?: DestinationStream;
}

/** The screening service: platform, auth, audit, messaging (intake and reception events in, screening events out) and its features. */
export function screeningAppModule(options: ScreeningAppOptions = {}): DynamicModule {
  return {
    module: class ScreeningAppModule {},
    imports: [
      PlatformModule.forRoot({
        service: SERVICE.name,
        logDestination: options.logDestination,
        entities: [...platformEntities, ...messagingEntities, ...auditEntities, ...privacyEntities, ...screeningEntities],
        migrations: [...platformMigrations, ...messagingMigrations, ...auditMigrations, ...privacyMigrations, ...screeningMigrations],
        imports: [
          MessagingModule.forRoot({ topics: [Topics.intakeCase, Topics.receptionArrival, Topics.screening], consumerGroup: options.consumerGroup }),
          AuthModule.forRoot({ service: SERVICE.name }),
          AuditModule.forRoot(),
        ],
      }),
      QuestionnairesModule,
      ScreeningsModule,
      ReportsModule.forRoot(SCREENING_REPORTS),
    ],
  };
}

@Module({ imports: [screeningAppModule()] })
export class AppModule {}
