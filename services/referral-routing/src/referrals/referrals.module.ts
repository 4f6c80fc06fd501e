import { type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { CrossBorderLink } from '../cross-border/cross-border-link';
import { referralFederation } from '../cross-border/referral-federation';
import { ReferralRoutingConfig } from '../delivery/delivery.config';
import { DeliveryQueue } from '../delivery/delivery-queue';
import { PartnerTopics } from '../delivery/partner-topics';
import { PersonalDataFetcher } from '../delivery/personal-data';
import { WebhookAddressPolicy, webhookAddressPolicyOf } from '../delivery/webhook-address-policy';
import { DELIVERY_OUTCOMES, WebhookDispatcher } from '../delivery/webhook-dispatcher';
import { WebhookMetrics } from '../delivery/webhook-metrics';
import { DirectoryModule } from '../directory/directory.module';
import { PartnerPersons } from '../partner/partner-persons';
import { PartnerReferralsController } from '../partner/partner-referrals.controller';
import { RetractionsController } from '../retractions/retractions.controller';
import { RoutingRetractions } from '../retractions/routing-retractions';
import { ReferralCaseFacts } from './case-facts';
import { ReferralCaseChanges } from './referral-case-changes';
import { ReferralLifecycle } from './referral-lifecycle';
import { ReferralsController } from './referrals.controller';
import { ReferralsService } from './referrals.service';
import { SlaSweeper } from './sla-sweeper';

export interface ReferralsModuleOptions {
  /** Where referrals learn about cases and consents: routing's case read model. */
  caseFacts: Type<ReferralCaseFacts>;
  /** Modules the case facts need. */
  imports?: ModuleMetadata['imports'];
}

/**
 * Referrals (caseworker and partner sides), their lifecycle and SLA timers, and their delivery to
 * partners' systems (webhook outbox, partner topics, REST pull).
 */
export class ReferralsModule {
  static forRoot(options: ReferralsModuleOptions): DynamicModule {
    const federation = referralFederation();
    return {
      module: ReferralsModule,
      imports: [DirectoryModule, ...(options.imports ?? [])],
      controllers: [ReferralsController, PartnerReferralsController, RetractionsController, ...federation.controllers],
      providers: [
        { provide: ReferralCaseFacts, useClass: options.caseFacts },
        { provide: WebhookAddressPolicy, inject: [ReferralRoutingConfig], useFactory: webhookAddressPolicyOf },
        DeliveryQueue,
        PartnerTopics,
        ReferralLifecycle,
        { provide: DELIVERY_OUTCOMES, useExisting: ReferralLifecycle },
        WebhookMetrics,
        PersonalDataFetcher,
        PartnerPersons,
        WebhookDispatcher,
        SlaSweeper,
        ReferralsService,
        ReferralCaseChanges,
        CrossBorderLink,
        RoutingRetractions,
        ...federation.providers,
      ],
      exports: [ReferralsService, ReferralCaseChanges, RoutingRetractions, ReferralLifecycle, DeliveryQueue, WebhookAddressPolicy, WebhookDispatcher, SlaSweeper],
    };
  }
}
