import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule, auditEntities, auditMigrations } from '@puente/audit';
import { AuthModule } from '@puente/auth';
import { federationMigrations } from '@puente/federation';
import { Topics } from '@puente/contracts';
import { MessagingModule, messagingEntities, messagingMigrations } from '@puente/messaging';
import { PlatformModule, platformEntities, platformMigrations } from '@puente/platform';
import { privacyEntities, privacyMigrations } from '@puente/privacy';
import { ReportsModule, SharedReportsModule, sharedReportMigrations } from '@puente/reports';
import { CasePerson, IntakeCase } from './cases/case.entity';
import { IntakeConfig } from './config/intake.config';
import { Consent } from './consents/consent.entity';
import { PossibleDuplicate } from './duplicates/duplicate.entities';
import { IntakeFederationModule, intakeFederationTopics } from './federation/intake-federation.module';
import { CustodyTransferListing } from './transfers/transfer.entity';
import { intakeTransferTopics } from './transfers/transfers.module';
import { Household, HouseholdMember } from './households/household.entity';
import { IntakeModule } from './intake.module';
import { intakeMigrations } from './migrations';
import { PartnerDirectoryEntry } from './partners/partner-directory-entry.entity';
import { Person } from './persons/person.entity';
import { INTAKE_REPORTS } from './reports/intake-reports';
import { Site } from './sites/site.entity';
import { TimelineEntry } from './timeline/timeline-entry.entity';
import { parseTopicList, type TimelineTopic, timelineTopics } from './timeline/timeline-topics';

/** Name, OpenAPI title and description of this service. */
export const SERVICE = {
  name: 'intake',
  title: 'Puente Intake',
  description:
    'Registration of persons and households at Migration Resource Centers, consent, duplicate detection, case timeline. Holds identity (encrypted field by field); other services only see personId/caseId and minimized attributes.',
} as const;

export const intakeEntities = [
  Site,
  PartnerDirectoryEntry,
  Person,
  IntakeCase,
  CasePerson,
  Household,
  HouseholdMember,
  Consent,
  PossibleDuplicate,
  TimelineEntry,
  CustodyTransferListing,
];

export interface IntakeAppOptions {
  /** Topics the timeline reads besides the catalogued case topics (default: INTAKE_TIMELINE_TOPICS). */
  timelineTopics?: readonly TimelineTopic[];
  /** Kafka consumer group (default `puente.intake`). */
  consumerGroup?: string;
}

/**
 * The intake application: platform (config, database, problem+json, conventions), auth on every
 * route, audit log, messaging (outbox relay; consumers of partner match keys and of every
 * timeline topic) and intake's features.
 */
export function intakeAppModule(options: IntakeAppOptions = {}): DynamicModule {
  let extra: readonly TimelineTopic[] = [];
  try {
    extra = options.timelineTopics ?? parseTopicList(process.env.INTAKE_TIMELINE_TOPICS);
  } catch {
    // An invalid INTAKE_TIMELINE_TOPICS is reported by the config validation when the app starts.
  }
  const timeline = timelineTopics(extra);
  const topics = [...timeline, { name: Topics.intakeMatchKeys.name, partitions: Topics.intakeMatchKeys.partitions }, { name: Topics.directory.name, partitions: Topics.directory.partitions }, ...intakeFederationTopics(), ...intakeTransferTopics()];
  return {
    module: class IntakeAppModule {},
    imports: [
      PlatformModule.forRoot({
        service: SERVICE.name,
        config: IntakeConfig,
        entities: [...platformEntities, ...messagingEntities, ...privacyEntities, ...auditEntities, ...intakeEntities],
        migrations: [...platformMigrations, ...messagingMigrations, ...privacyMigrations, ...auditMigrations, ...intakeMigrations, ...federationMigrations, ...sharedReportMigrations],
        imports: [
          MessagingModule.forRoot({ topics, consumerGroup: options.consumerGroup }),
          AuthModule.forRoot({ service: SERVICE.name }),
          AuditModule.forRoot(),
        ],
      }),
      IntakeModule.forRoot({ timelineTopics: timeline }),
      IntakeFederationModule.forRoot(),
      ReportsModule.forRoot(INTAKE_REPORTS),
      // Reports peers shared with this node (kind report-share), served like its own.
      SharedReportsModule.forRoot(),
    ],
  };
}

/** The intake application as configured by the environment (what `main.ts` starts). */
@Module({ imports: [intakeAppModule()] })
export class AppModule {}
