import { Global, Module } from '@nestjs/common';
import { ConfigValidationError, ServiceConfig } from '@puente/platform';
import { PersonVault, personVaultProviders } from '@puente/privacy';
import { RegistryProjector } from './registry.projector';
import { PersonRegistry } from './registry.service';

/**
 * What every reintegration feature shares: the read model of reintegration_support consents and
 * persons (from intake's events), the hooks for erasure and withdrawn consent, and the vault of
 * the persons' data keys (reintegration's own; PersonErased shreds them). Global, so a feature
 * module injects PersonRegistry and PersonVault without importing this module.
 */
@Global()
@Module({
  controllers: [RegistryProjector],
  providers: [PersonRegistry, ...personVaultProviders(ServiceConfig, ConfigValidationError)],
  exports: [PersonRegistry, PersonVault],
})
export class RegistryModule {}
