import { type DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { AuditModule, auditEntities, auditMigrations } from '@puente/audit';
import { AuthModule } from '@puente/auth';
import { MessagingModule, messagingEntities, messagingMigrations } from '@puente/messaging';
import { PlatformModule, platformEntities, platformMigrations } from '@puente/platform';
import { directoryEntities } from './directory/directory.entities';
import { DirectoryModule } from './directory/directory.module';
import { DIRECTORY_AND_ROUTING_TOPICS } from './directory/topics';
import { referralRoutingMigrations } from './migrations';

/** Name, OpenAPI title and description of this service. */
export const SERVICE = {
  name: 'referral-routing',
  title: 'Puente Referral Routing',
  description:
    'Partners, programs, data-sharing agreements and routing rules; referrals to protection and lawful pathways (FHIR Task-like lifecycle), cross-border transfers and their delivery to partners.',
} as const;

export const referralRoutingEntities = [...directoryEntities];

export interface ReferralRoutingAppOptions {
  /** Kafka consumer group (default `puente.referral-routing`); tests use their own. */
  consumerGroup?: string;
  /** Where JSON logs go (default stdout); tests capture them. */
  logDestination?: DestinationStream;
}

/** The referral-routing service: platform, auth, audit, messaging and its features. */
export function referralRoutingAppModule(options: ReferralRoutingAppOptions = {}): DynamicModule {
  return {
    module: class ReferralRoutingAppModule {},
    imports: [
      PlatformModule.forRoot({
        service: SERVICE.name,
        logDestination: options.logDestination,
        entities: [...platformEntities, ...messagingEntities, ...auditEntities, ...referralRoutingEntities],
        migrations: [...platformMigrations, ...messagingMigrations, ...auditMigrations, ...referralRoutingMigrations],
        imports: [
          MessagingModule.forRoot({ topics: [...DIRECTORY_AND_ROUTING_TOPICS], consumerGroup: options.consumerGroup }),
          AuthModule.forRoot({ service: SERVICE.name }),
          AuditModule.forRoot(),
        ],
      }),
      DirectoryModule,
    ],
  };
}

@Module({ imports: [referralRoutingAppModule()] })
export class AppModule {}
