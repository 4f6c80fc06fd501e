import { Module } from '@nestjs/common';
import { CaseRegistryProjector } from './case-registry.projector';
import { CaseRegistry } from './case-registry.service';

/** The local read model of cases and screening consents (from intake's events). */
@Module({
  providers: [CaseRegistry, CaseRegistryProjector],
  exports: [CaseRegistry],
})
export class CaseRegistryModule {}
