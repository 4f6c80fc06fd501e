import { Module } from '@nestjs/common';
import { SkillsModule } from '../skills/skills.module';
import { FollowUpSweeper } from './follow-up-sweeper';
import { PlanOutcomeLink } from './outcome-exchange';
import { PlansConsumer } from './plans.consumer';
import { PlansController } from './plans.controller';
import { PlansService } from './plans.service';

/** Reintegration plans, their tasks (a certificate validation decides the certificate in the skills profile) and follow-ups; opened on check-ins; the overdue sweep. */
@Module({
  imports: [SkillsModule],
  controllers: [PlansController, PlansConsumer],
  providers: [PlansService, FollowUpSweeper, PlanOutcomeLink],
  exports: [PlansService],
})
export class PlansModule {}
