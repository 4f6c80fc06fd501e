import type { FieldError } from '@puente/platform';
import type { ConsentMethodValue, ConsentPurposeValue } from '../common/enums';

export interface ConsentTerms {
  purpose: ConsentPurposeValue;
  partnerId?: string | null;
  partnerType?: string | null;
  destinationCountry?: string | null;
  method: ConsentMethodValue;
  witnessedBy?: string | null;
  guardianPersonId?: string | null;
  guardianReference?: string | null;
  validFrom: Date;
  validUntil?: Date | null;
}

/** How far back (a paper form entered later) or ahead a consent's validity may start. */
export const MAX_VALID_FROM_OFFSET_MS = 365 * 24 * 3_600_000;

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/**
 * The rules of a consent's terms that depend on several fields, as field errors (empty when valid):
 *
 * - screening and identity matching name no partner or country; referral (and reception,
 *   reintegration and follow-up contact) may narrow to one partner or one partner
 *   type; data sharing must name exactly one of them; a cross-border transfer must name the
 *   destination country (and may narrow to one receiving partner or type);
 * - a verbal consent needs its witness, a guardian's consent its guardian (a person of the
 *   household or an appointed guardian's reference), and a child's consent is a guardian's;
 * - validity starts within a year of now and ends after it starts; an identity-matching
 *   consent starts when recorded and has no end date (withdrawal retracts the match keys).
 */
export function consentTermErrors(terms: ConsentTerms, context: { personIsMinor: boolean; now: Date }): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, message: string, code: string) => errors.push({ field, message, code });
  const partnerFields = (['partnerId', 'partnerType'] as const).filter((f) => present(terms[f]));

  switch (terms.purpose) {
    case 'screening':
    case 'identity_matching':
      for (const f of partnerFields) add(f, `${f} is not allowed for a ${terms.purpose === 'screening' ? 'screening' : 'identity-matching'} consent`, 'notAllowed');
      break;
    case 'data_sharing':
      if (partnerFields.length !== 1) add('partnerId', 'a data-sharing consent names exactly one of partnerId or partnerType', 'exactlyOne');
      break;
    default:
      if (partnerFields.length > 1) add('partnerType', 'name either partnerId or partnerType, not both', 'exactlyOne');
  }
  if (terms.purpose === 'cross_border_transfer') {
    if (!present(terms.destinationCountry)) add('destinationCountry', 'a cross-border transfer consent names the destination country', 'required');
  } else if (present(terms.destinationCountry)) {
    add('destinationCountry', 'destinationCountry is only for cross-border transfer consents', 'notAllowed');
  }

  if (terms.method === 'verbal_with_witness') {
    if (!present(terms.witnessedBy)) add('witnessedBy', 'a verbal consent needs the staff identifier of its witness', 'required');
  } else if (present(terms.witnessedBy)) {
    add('witnessedBy', 'witnessedBy is only for verbal consents with a witness', 'notAllowed');
  }
  const guardianFields = (['guardianPersonId', 'guardianReference'] as const).filter((f) => present(terms[f]));
  if (terms.method === 'guardian') {
    if (guardianFields.length !== 1) add('guardianPersonId', 'a guardian consent names exactly one of guardianPersonId or guardianReference', 'exactlyOne');
  } else {
    for (const f of guardianFields) add(f, `${f} is only for consents given by a guardian`, 'notAllowed');
    if (context.personIsMinor) add('method', 'consent for a child under 18 is given by a parent or guardian (method guardian)', 'guardianRequired');
  }

  // Match keys are published when the consent is recorded and retracted when it is withdrawn:
  // nothing would publish them at a future start or retract them at an end date.
  if (terms.purpose === 'identity_matching') {
    if (terms.validFrom.getTime() > context.now.getTime()) add('validFrom', 'an identity-matching consent takes effect when recorded', 'notAllowed');
    if (terms.validUntil) add('validUntil', 'an identity-matching consent lasts until withdrawn', 'notAllowed');
  }
  const offset = terms.validFrom.getTime() - context.now.getTime();
  if (Math.abs(offset) > MAX_VALID_FROM_OFFSET_MS) add('validFrom', 'validFrom must be within one year of now', 'range');
  if (terms.validUntil && terms.validUntil.getTime() <= terms.validFrom.getTime()) add('validUntil', 'validUntil must be after validFrom', 'range');
  return errors;
}

export type ConsentState = 'pending' | 'active' | 'expired' | 'withdrawn';

/** State of a consent at `at`: withdrawn wins over everything, then the validity window. */
export function consentStateAt(consent: { validFrom: Date; validUntil: Date | null; withdrawnAt: Date | null }, at: Date): ConsentState {
  if (consent.withdrawnAt && consent.withdrawnAt.getTime() <= at.getTime()) return 'withdrawn';
  if (at.getTime() < consent.validFrom.getTime()) return 'pending';
  if (consent.validUntil && at.getTime() >= consent.validUntil.getTime()) return 'expired';
  return 'active';
}

export interface IntendedUse {
  purpose: ConsentPurposeValue;
  partnerId?: string;
  partnerType?: string;
  destinationCountry?: string;
}

/**
 * Whether a consent allows a use at `at`: same purpose, active, and (when it names them) the same
 * partner or partner type and destination. A consent that names no partner allows any partner.
 */
export function consentAllows(
  consent: { purpose: string; partnerId: string | null; partnerType: string | null; destinationCountry: string | null; validFrom: Date; validUntil: Date | null; withdrawnAt: Date | null },
  use: IntendedUse,
  at: Date,
): boolean {
  if (consent.purpose !== use.purpose || consentStateAt(consent, at) !== 'active') return false;
  if (consent.partnerId && consent.partnerId !== use.partnerId) return false;
  if (consent.partnerType && consent.partnerType !== use.partnerType) return false;
  if (consent.destinationCountry && consent.destinationCountry !== use.destinationCountry) return false;
  return true;
}
