import 'reflect-metadata';
import { bootstrapService, SERVICE_PORTS } from '@puente/platform';
import { AppModule, SERVICE } from './app.module';
import { ReferralRoutingConfig } from './delivery/delivery.config';

void bootstrapService({
  service: SERVICE.name,
  module: AppModule,
  config: ReferralRoutingConfig,
  port: SERVICE_PORTS['referral-routing'],
  title: SERVICE.title,
  description: SERVICE.description,
});
