import { type Actor, ConsentMethod, ConsentPurpose, ConsentRecordedSchema, ConsentWithdrawnSchema, PartnerType, toTimestamp } from '@puente/contracts';
import { toProto } from '../common/enums';
import { event, type IntakeEvent } from '../events/intake-events';
import type { Consent } from './consent.entity';

/** ConsentRecorded (on the case topic, keyed by the case): the terms, never the person's data. */
export function consentRecorded(consent: Consent, recordedBy: Actor): IntakeEvent {
  return event(
    ConsentRecordedSchema,
    {
      consentId: consent.id,
      caseId: consent.caseId,
      personId: consent.personId,
      purpose: toProto(ConsentPurpose, consent.purpose),
      partnerId: consent.partnerId ?? '',
      partnerType: consent.partnerType ? toProto(PartnerType, consent.partnerType) : PartnerType.UNSPECIFIED,
      destinationCountry: consent.destinationCountry ?? '',
      method: toProto(ConsentMethod, consent.method),
      validFrom: toTimestamp(consent.validFrom),
      validUntil: consent.validUntil ? toTimestamp(consent.validUntil) : undefined,
      recordedAt: toTimestamp(consent.recordedAt),
      recordedBy,
    },
    consent.caseId,
  );
}

export function consentWithdrawn(consent: Consent, withdrawnAt: Date, withdrawnBy: Actor): IntakeEvent {
  return event(
    ConsentWithdrawnSchema,
    {
      consentId: consent.id,
      caseId: consent.caseId,
      personId: consent.personId,
      purpose: toProto(ConsentPurpose, consent.purpose),
      withdrawnAt: toTimestamp(withdrawnAt),
      withdrawnBy,
    },
    consent.caseId,
  );
}
