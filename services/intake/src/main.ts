import 'reflect-metadata';
import { bootstrapService, SERVICE_PORTS } from '@puente/platform';
import { AppModule, SERVICE } from './app.module';
import { IntakeConfig } from './config/intake.config';

void bootstrapService({
  service: SERVICE.name,
  module: AppModule,
  config: IntakeConfig,
  port: SERVICE_PORTS['intake'],
  title: SERVICE.title,
  description: SERVICE.description,
});
