import { Module } from '@nestjs/common';
import { CaseRegistryModule } from '../case-registry/case-registry.module';
import { QuestionnairesModule } from '../questionnaires/questionnaires.module';
import { ProtectionConcernConsumer } from './protection-concern.consumer';
import { ScreeningAnswers } from './screening-answers';
import { ScreeningsController } from './screenings.controller';
import { ScreeningsService } from './screenings.service';

/** Screening sessions of cases, and the pending ones reception's protection concerns open. */
@Module({
  imports: [QuestionnairesModule, CaseRegistryModule],
  controllers: [ScreeningsController, ProtectionConcernConsumer],
  providers: [ScreeningsService, ScreeningAnswers],
})
export class ScreeningsModule {}
