import { Module } from '@nestjs/common';
import { MessagingModule, messagingEntities, messagingMigrations } from '@puente/messaging';
import { PlatformModule } from '@puente/platform';
import { screeningMigrations } from './migrations';

/** Name, OpenAPI title and description of this service. */
export const SERVICE = {
  name: 'screening',
  title: 'Puente Screening',
  description:
    'Protection screening with versioned questionnaires (rules as data): vulnerability flags, risk level and recommended pathways, each with its reasons.',
} as const;

@Module({
  imports: [
    PlatformModule.forRoot({
      service: SERVICE.name,
      entities: [...messagingEntities],
      migrations: [...messagingMigrations, ...screeningMigrations],
      imports: [MessagingModule.forRoot({ topics: [] })],
    }),
  ],
})
export class AppModule {}
