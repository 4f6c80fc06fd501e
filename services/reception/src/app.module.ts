import { Module } from '@nestjs/common';
import { AuditModule, auditEntities, auditMigrations } from '@puente/audit';
import { AuthModule } from '@puente/auth';
import { MessagingModule, messagingEntities, messagingMigrations } from '@puente/messaging';
import { PlatformModule, platformEntities, platformMigrations } from '@puente/platform';
import { receptionMigrations } from './migrations';

/** Name, OpenAPI title and description of this service. */
export const SERVICE = {
  name: 'reception',
  title: 'Puente Reception',
  description:
    'Reception centers and their capacity, expected returns (manifests) and walk-ins, check-ins, interviews, medical and counseling, protection flags and services delivered on arrival.',
} as const;

@Module({
  imports: [
    PlatformModule.forRoot({
      service: SERVICE.name,
      entities: [...platformEntities, ...messagingEntities, ...auditEntities],
      migrations: [...platformMigrations, ...messagingMigrations, ...auditMigrations, ...receptionMigrations],
      imports: [MessagingModule.forRoot({ topics: [] }), AuthModule.forRoot({ service: SERVICE.name }), AuditModule.forRoot()],
    }),
  ],
})
export class AppModule {}
