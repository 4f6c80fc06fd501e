import { Module } from '@nestjs/common';
import { ManifestsModule } from '../manifests/manifests.module';
import { ArrivalDayService } from './arrival-day.service';
import { ArrivalsController } from './arrivals.controller';
import { FamilyTracingService } from './family-tracing.service';
import { InterviewService } from './interview.service';
import { RoutingClient } from './routing.client';

@Module({ imports: [ManifestsModule], controllers: [ArrivalsController], providers: [ArrivalDayService, InterviewService, RoutingClient, FamilyTracingService] })
export class ArrivalsModule {}
