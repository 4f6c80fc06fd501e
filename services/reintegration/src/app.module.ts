import { Module } from '@nestjs/common';
import { AuditModule, auditEntities, auditMigrations } from '@puente/audit';
import { AuthModule } from '@puente/auth';
import { MessagingModule, messagingEntities, messagingMigrations } from '@puente/messaging';
import { PlatformModule, platformEntities, platformMigrations } from '@puente/platform';
import { reintegrationMigrations } from './migrations';

/** Name, OpenAPI title and description of this service. */
export const SERVICE = {
  name: 'reintegration',
  title: 'Puente Reintegration',
  description:
    'Reintegration plans: skills profiles (languages, trades, certificates earned abroad), goals, job matches, document tasks, school re-enrollment, psychosocial sessions, milestones and follow-ups.',
} as const;

@Module({
  imports: [
    PlatformModule.forRoot({
      service: SERVICE.name,
      entities: [...platformEntities, ...messagingEntities, ...auditEntities],
      migrations: [...platformMigrations, ...messagingMigrations, ...auditMigrations, ...reintegrationMigrations],
      imports: [MessagingModule.forRoot({ topics: [] }), AuthModule.forRoot({ service: SERVICE.name }), AuditModule.forRoot()],
    }),
  ],
})
export class AppModule {}
