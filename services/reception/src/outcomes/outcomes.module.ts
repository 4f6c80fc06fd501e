import { Module } from '@nestjs/common';
import { CentersModule } from '../centers/centers.module';
import { PlanClosedConsumer } from './plan-closed.consumer';
import { ReintegrationOutcomesController } from './reintegration-outcomes.controller';
import { ReintegrationOutcomesService } from './reintegration-outcomes.service';

@Module({ imports: [CentersModule], controllers: [ReintegrationOutcomesController, PlanClosedConsumer], providers: [ReintegrationOutcomesService] })
export class OutcomesModule {}
