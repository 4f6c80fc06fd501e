import { Module } from '@nestjs/common';
import { MessagingModule, messagingEntities, messagingMigrations } from '@puente/messaging';
import { PlatformModule } from '@puente/platform';
import { Topics } from '@puente/contracts';
import { intakeMigrations } from './migrations';

/** Name, OpenAPI title and description of this service. */
export const SERVICE = {
  name: 'intake',
  title: 'Puente Intake',
  description:
    'Registration of persons and households at Migration Resource Centers, consent, duplicate detection, case timeline. Holds identity (encrypted field by field); other services only see personId/caseId and minimized attributes.',
} as const;

@Module({
  imports: [
    PlatformModule.forRoot({
      service: SERVICE.name,
      entities: [...messagingEntities],
      migrations: [...messagingMigrations, ...intakeMigrations],
      imports: [MessagingModule.forRoot({ topics: [Topics.intakeCase] })],
    }),
  ],
})
export class AppModule {}
