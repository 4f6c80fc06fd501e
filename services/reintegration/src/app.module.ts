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
    'Not built yet: this service answers health (/health/live, /health/serving, /health/ready), metrics and this document, on the shared platform (tokens, audit, outbox). Its domain routes are planned and none exists yet: reintegration plans with skills profiles (languages, trades, certificates earned abroad), job matches, document tasks and follow-ups.',
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
