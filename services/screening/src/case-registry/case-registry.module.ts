import { Module } from '@nestjs/common';
import { ConfigValidationError, ServiceConfig } from '@puente/platform';
import { PersonVault, personVaultProviders } from '@puente/privacy';
import { CaseRegistryProjector } from './case-registry.projector';
import { CaseRegistry } from './case-registry.service';

/** The local read model of cases, persons and screening consents (from intake's events), and the persons' data keys. */
@Module({
  controllers: [CaseRegistryProjector],
  // The vault of screening's own per-person data keys (answers are encrypted under them; PersonErased shreds them).
  providers: [CaseRegistry, ...personVaultProviders(ServiceConfig, ConfigValidationError)],
  exports: [CaseRegistry, PersonVault],
})
export class CaseRegistryModule {}
