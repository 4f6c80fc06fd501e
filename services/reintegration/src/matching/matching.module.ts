import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { SkillsModule } from '../skills/skills.module';
import { MatchFeed } from './match-feed';
import { MatchingController } from './matching.controller';
import { Matching } from './matching.service';

/**
 * Skills profiles, job openings, placements and matching between them: the employment part of
 * reintegration, one line in the app's feature list.
 */
@Module({
  imports: [SkillsModule, JobsModule],
  controllers: [MatchingController],
  providers: [MatchFeed, Matching],
})
export class EmploymentModule {}
