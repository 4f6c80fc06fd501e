import { Injectable } from '@nestjs/common';
import { AuditLog, type Caller } from '@puente/audit';
import { assertJurisdiction, resourceNotFound } from '@puente/auth';
import { ProblemException } from '@puente/platform';
import { recordDeliveries } from '@puente/federation';
import { minimize, PersonErasedError } from '@puente/privacy';
import { DataSource } from 'typeorm';
import { privacyProblem } from '../common/problems';
import { Consent } from '../consents/consent.entity';
import { PartnerDirectoryService } from '../partners/partner-directory.service';
import { Person } from '../persons/person.entity';
import { PersonRecordsService } from '../persons/person-records.service';
import type { DisclosureDto, RequestDisclosureDto } from './disclosure.dto';
import { decideDisclosure } from './disclosure-rules';

/** Problem `type` slug when no consent in force allows the disclosure. */
export const CONSENT_REQUIRED_PROBLEM = 'consent-required';

/**
 * Identity fields of a person for a named partner and purpose, for another service (referral
 * routing at delivery time): only the requested fields (the data-sharing agreement's) that the
 * person's consents in force for that purpose, partner and partner type allow.
 */
@Injectable()
export class DisclosuresService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly partners: PartnerDirectoryService,
    private readonly records: PersonRecordsService,
    private readonly audit: AuditLog,
  ) {}

  async disclose(caller: Caller, personId: string, dto: RequestDisclosureDto): Promise<DisclosureDto> {
    const db = this.dataSource.manager;
    const person = await db.findOneBy(Person, { id: personId });
    if (!person) throw resourceNotFound('person');
    assertJurisdiction(caller.principal, person.siteCode, { hideAs: 'person' });
    // Erasure answers before consent: an erased person's consents no longer matter.
    if (person.erasedAt) throw privacyProblem(new PersonErasedError(person.id, person.erasedAt));
    const partner = await this.partners.requireActive(db, dto.partnerId);

    const now = new Date();
    const consents = await db.findBy(Consent, { personId, purpose: dto.purpose });
    const decision = decideDisclosure(dto.fields, consents, { purpose: dto.purpose, partnerId: partner.id, partnerType: partner.partnerType }, now);
    if (decision.consentIds.length === 0) {
      throw new ProblemException(
        403,
        CONSENT_REQUIRED_PROBLEM,
        'Consent required',
        `The person has no ${dto.purpose} consent in force that allows this partner; no personal data is disclosed.`,
        { purpose: dto.purpose, partnerId: partner.id },
      );
    }

    const identity = decision.disclosed.length > 0 ? await this.records.read(caller, personId) : null;
    // The receiving partner is recorded before anything leaves: no disclosure without its audit record.
    await this.audit.append(null, {
      actor: caller.auditActor,
      requestId: caller.requestId,
      traceparent: caller.traceparent,
      action: 'person.disclose.recipient',
      objectType: 'partner',
      objectId: partner.id,
      // The disclosure purposes are audit purposes of the same name.
      purpose: dto.purpose,
      occurredAt: now,
    });
    // The delivery ledger: where a retraction notice goes if the consent is withdrawn or the person erased.
    if (decision.disclosed.length > 0) {
      await recordDeliveries(db, [{ receiverType: 'partner', receiver: partner.id, channel: 'disclosure', caseId: null, personId, fields: decision.disclosed }], now);
    }
    return {
      personId,
      partnerId: partner.id,
      purpose: dto.purpose,
      person: identity ? (minimize({ person: identity }, decision.disclosed, decision.disclosed).person ?? {}) : {},
      disclosedFields: decision.disclosed,
      withheldFields: decision.withheld,
      consentIds: decision.consentIds,
    };
  }
}

