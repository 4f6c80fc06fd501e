import { Module } from '@nestjs/common';
import { CaseProjector } from '../cases/case-projector';
import { RoutingCaseFacts } from '../cases/case-model';
import { DirectoryModule } from '../directory/directory.module';
import { ProtectionAlerts, ProtectionAlertSweeper, RoutingClock, SystemClock } from './protection-alerts';
import { RoutingController } from './routing.controller';
import { RoutingProjector } from './routing.projector';
import { SuggestionsService } from './suggestions.service';

/**
 * Routing: the case read model (intake's and screening's events), ranked suggestions after each
 * screening, SLA records of programs, and urgent protection alerts with deadline and escalation.
 * Exports the case read model for referrals (RoutingCaseFacts is their ReferralCaseFacts) and the
 * suggestions (autoReferralTargets for referrals an urgent alert creates).
 */
@Module({
  imports: [DirectoryModule],
  controllers: [CaseProjector, RoutingProjector, RoutingController],
  providers: [RoutingCaseFacts, SuggestionsService, ProtectionAlerts, ProtectionAlertSweeper, { provide: RoutingClock, useClass: SystemClock }],
  exports: [RoutingCaseFacts, SuggestionsService, ProtectionAlerts, RoutingClock],
})
export class RoutingModule {}
