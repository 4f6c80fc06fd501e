import { Module } from '@nestjs/common';
import { SkillsProfilesController } from './skills-profiles.controller';
import { SkillsProfiles } from './skills-profiles.service';

/** Skills profiles (encrypted per person) and the match features they feed. */
@Module({
  controllers: [SkillsProfilesController],
  providers: [SkillsProfiles],
  exports: [SkillsProfiles],
})
export class SkillsModule {}
