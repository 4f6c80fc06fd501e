import { Module } from '@nestjs/common';
import { CaseRegistryProjector } from './case-registry.projector';
import { CaseRegistry } from './case-registry.service';

/** The local read model of cases and screening consents (from intake's events). */
@Module({
  controllers: [CaseRegistryProjector],
  providers: [CaseRegistry],
  exports: [CaseRegistry],
})
export class CaseRegistryModule {}
