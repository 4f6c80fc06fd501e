import { Module } from '@nestjs/common';
import { ManifestsModule } from '../manifests/manifests.module';
import { ArrivalDayService } from './arrival-day.service';
import { ArrivalsController } from './arrivals.controller';

@Module({ imports: [ManifestsModule], controllers: [ArrivalsController], providers: [ArrivalDayService] })
export class ArrivalsModule {}
