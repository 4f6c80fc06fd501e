import { Module } from '@nestjs/common';
import { CaseRegistryModule } from '../case-registry/case-registry.module';
import { QuestionnairesModule } from '../questionnaires/questionnaires.module';
import { ScreeningsController } from './screenings.controller';
import { ScreeningsService } from './screenings.service';

/** Screening sessions of cases. */
@Module({
  imports: [QuestionnairesModule, CaseRegistryModule],
  controllers: [ScreeningsController],
  providers: [ScreeningsService],
})
export class ScreeningsModule {}
