import { Module } from '@nestjs/common';
import { ConfigValidationError } from '@puente/platform';
import { personVaultProviders } from '@puente/privacy';
import { ReceptionConfig } from '../config/reception.config';
import { IntakeClient } from './intake.client';
import { ManifestMatcher } from './manifest-matcher';
import { ManifestsController } from './manifests.controller';
import { ManifestsService } from './manifests.service';

const vault = personVaultProviders(ReceptionConfig, ConfigValidationError);

@Module({
  controllers: [ManifestsController],
  providers: [...vault, IntakeClient, ManifestMatcher, ManifestsService],
  exports: [ManifestsService, ManifestMatcher, IntakeClient, ...vault.map((p) => p.provide)],
})
export class ManifestsModule {}
