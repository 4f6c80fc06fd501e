import { type DynamicModule, Module } from '@nestjs/common';
import { CaseOpener } from './cases/case-opener';
import { CaseReferences } from './cases/case-reference';
import { CasesController } from './cases/cases.controller';
import { CasesService } from './cases/cases.service';
import { privacyProviders } from './common/privacy.providers';
import { ConsentsController } from './consents/consents.controller';
import { ConsentsService } from './consents/consents.service';
import { DisclosuresController } from './disclosures/disclosures.controller';
import { DisclosuresService } from './disclosures/disclosures.service';
import { DuplicateDetector } from './duplicates/duplicate-detector';
import { DuplicatesController } from './duplicates/duplicates.controller';
import { DuplicatesService } from './duplicates/duplicates.service';
import { MatchKeyPublication } from './duplicates/match-key-publication';
import { PartnerMatchKeysConsumer } from './duplicates/partner-match-keys.consumer';
import { IntakeEvents } from './events/intake-events';
import { HouseholdsController } from './households/households.controller';
import { HouseholdsService } from './households/households.service';
import { ManifestRegistrationController } from './manifests/manifest-registration.controller';
import { ManifestRegistrationService } from './manifests/manifest-registration.service';
import { PartnerDirectoryFollower } from './partners/partner-directory.consumer';
import { PartnerDirectoryController } from './partners/partner-directory.controller';
import { PartnerDirectoryService } from './partners/partner-directory.service';
import { PersonRecordsService } from './persons/person-records.service';
import { PersonRegistrationService } from './persons/person-registration.service';
import { PersonsController } from './persons/persons.controller';
import { RetractionNotices } from './retractions/retraction-notices';
import { RetractionsController } from './retractions/retractions.controller';
import { SitesController } from './sites/sites.controller';
import { SitesService } from './sites/sites.service';
import { TimelineController } from './timeline/timeline.controller';
import { timelineConsumerClass, TimelineProjector } from './timeline/timeline.consumer';
import type { TimelineTopic } from './timeline/timeline-topics';
import { transfersParts } from './transfers/transfers.module';

@Module({})
export class IntakeModule {
  /** Intake's features; the timeline consumer follows `timelineTopics`. */
  static forRoot(options: { timelineTopics: readonly TimelineTopic[] }): DynamicModule {
    const transfers = transfersParts();
    return {
      module: IntakeModule,
      controllers: [
        SitesController,
        PartnerDirectoryController,
        PersonsController,
        CasesController,
        HouseholdsController,
        ConsentsController,
        DisclosuresController,
        RetractionsController,
        DuplicatesController,
        TimelineController,
        ManifestRegistrationController,
        // Event handlers (@EventPattern), served by libs/messaging's event transport.
        PartnerMatchKeysConsumer,
        PartnerDirectoryFollower,
        timelineConsumerClass(options.timelineTopics),
        ...transfers.controllers,
      ],
      providers: [
        ...privacyProviders,
        IntakeEvents,
        SitesService,
        PartnerDirectoryService,
        CaseReferences,
        CaseOpener,
        CasesService,
        DuplicateDetector,
        DuplicatesService,
        MatchKeyPublication,
        PersonRegistrationService,
        PersonRecordsService,
        HouseholdsService,
        ConsentsService,
        DisclosuresService,
        RetractionNotices,
        ManifestRegistrationService,
        TimelineProjector,
        ...transfers.providers,
      ],
    };
  }
}
