import 'reflect-metadata';
import { bootstrapService, SERVICE_PORTS } from '@puente/platform';
import { AppModule, SERVICE } from './app.module';

void bootstrapService({
  service: SERVICE.name,
  module: AppModule,
  port: SERVICE_PORTS['intake'],
  title: SERVICE.title,
  description: SERVICE.description,
});
