import { Module } from '@nestjs/common';
import { AuditModule, auditEntities, auditMigrations } from '@puente/audit';
import { AuthModule } from '@puente/auth';
import { MessagingModule, messagingEntities, messagingMigrations } from '@puente/messaging';
import { PlatformModule, platformEntities, platformMigrations } from '@puente/platform';
import { referralRoutingMigrations } from './migrations';

/** Name, OpenAPI title and description of this service. */
export const SERVICE = {
  name: 'referral-routing',
  title: 'Puente Referral Routing',
  description:
    'Partners, programs, data-sharing agreements and routing rules; referrals to protection and lawful pathways (FHIR Task-like lifecycle), cross-border transfers and their delivery to partners.',
} as const;

@Module({
  imports: [
    PlatformModule.forRoot({
      service: SERVICE.name,
      entities: [...platformEntities, ...messagingEntities, ...auditEntities],
      migrations: [...platformMigrations, ...messagingMigrations, ...auditMigrations, ...referralRoutingMigrations],
      imports: [MessagingModule.forRoot({ topics: [] }), AuthModule.forRoot({ service: SERVICE.name }), AuditModule.forRoot()],
    }),
  ],
})
export class AppModule {}
