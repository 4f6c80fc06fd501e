import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { AuditModule, auditEntities, auditMigrations } from '@puente/audit';
import { AuthModule } from '@puente/auth';
import { federationMigrations } from '@puente/federation';
import { Topics } from '@puente/contracts';
import { MessagingModule, messagingEntities, messagingMigrations } from '@puente/messaging';
import { PlatformModule, platformEntities, platformMigrations } from '@puente/platform';
import { ReportsModule } from '@puente/reports';
import { ReferralRoutingConfig } from './delivery/delivery.config';
import { directoryEntities } from './directory/directory.entities';
import { DirectoryModule } from './directory/directory.module';
import { DIRECTORY_AND_ROUTING_TOPICS } from './directory/topics';
import { referralFederationTopics } from './cross-border/referral-federation';
import { RoutingCaseFacts } from './cases/case-model';
import { referralRoutingMigrations } from './migrations';
import type { ReferralCaseFacts } from './referrals/case-facts';
import { referralEntities } from './referrals/referral.entities';
import { ReferralsModule } from './referrals/referrals.module';
import { REFERRAL_REPORTS } from './reports/referral-reports';
import { RoutingModule } from './routing/routing.module';

/** Name, OpenAPI title and description of this service. */
export const SERVICE = {
  name: 'referral-routing',
  title: 'Puente Referral Routing',
  description:
    'Partners, programs, data-sharing agreements and routing rules; referrals to protection and lawful pathways (FHIR Task-like lifecycle), cross-border transfers and their delivery to partners.',
} as const;

export const referralRoutingEntities = [...directoryEntities, ...referralEntities];

export interface ReferralRoutingAppOptions {
  /** Kafka consumer group (default `puente.referral-routing`); tests use their own. */
  consumerGroup?: string;
  /** Where JSON logs go (default stdout); tests capture them. */
  logDestination?: DestinationStream;
  /** Where referrals learn about cases and consents: routing's case read model unless a test gives its own. */
  caseFacts?: Type<ReferralCaseFacts>;
}

/** The referral-routing service: platform, auth, audit, messaging and its features. */
export function referralRoutingAppModule(options: ReferralRoutingAppOptions = {}): DynamicModule {
  return {
    module: class ReferralRoutingAppModule {},
    imports: [
      PlatformModule.forRoot({
        service: SERVICE.name,
        config: ReferralRoutingConfig,
        logDestination: options.logDestination,
        entities: [...platformEntities, ...messagingEntities, ...auditEntities, ...referralRoutingEntities],
        migrations: [...platformMigrations, ...messagingMigrations, ...auditMigrations, ...federationMigrations, ...referralRoutingMigrations],
        imports: [
          MessagingModule.forRoot({ topics: [Topics.referral, Topics.retraction, ...DIRECTORY_AND_ROUTING_TOPICS, ...referralFederationTopics()], consumerGroup: options.consumerGroup }),
          AuthModule.forRoot({ service: SERVICE.name }),
          AuditModule.forRoot(),
        ],
      }),
      DirectoryModule,
      RoutingModule,
      ReferralsModule.forRoot({ caseFacts: options.caseFacts ?? RoutingCaseFacts, imports: [RoutingModule] }),
      ReportsModule.forRoot(REFERRAL_REPORTS),
    ],
  };
}

@Module({ imports: [referralRoutingAppModule()] })
export class AppModule {}
