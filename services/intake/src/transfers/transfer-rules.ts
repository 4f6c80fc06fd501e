// Custody transfers between nodes, as pure rules: the life of a transfer on either side, and what
// of each person may travel in the package (agreement ∩ consent, under the protection block).
// No clock, no database.
import { type BorderAgreement, decideCrossing, protectionOf } from '@puente/federation';

/**
 * `pending`: sent by the origin, waiting for the destination's decision (on both sides).
 * `completed`: accepted; the destination registered the persons and opened the case, the origin's
 * case is transferred out. `rejected` (with a reason code), `withdrawn` (by the origin, or a
 * consent withdrawn after sending), `expired` (the destination's SLA passed): custody stays.
 */
export const TRANSFER_STATUSES = ['pending', 'completed', 'rejected', 'withdrawn', 'expired'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

export const TRANSFER_ACTIONS = ['accept', 'reject', 'withdraw', 'expire'] as const;
export type TransferAction = (typeof TRANSFER_ACTIONS)[number];

/** Which node acts: the origin (custody until acceptance) or the destination. */
export type TransferSide = 'origin' | 'destination';

export const REJECTION_REASONS = ['no_capacity', 'not_eligible', 'outside_jurisdiction', 'insufficient_information', 'duplicate_transfer', 'person_declined'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];
/** Why a transfer expired: nobody at the destination decided in time. */
export const EXPIRY_REASON = 'decision_sla_missed';
/**
 * `person_erased`: a person of the package was erased at the origin. `retracted`: at the
 * destination, the origin's retraction notice for a person of the package arrived first.
 */
export const WITHDRAWAL_CAUSES = ['origin_withdrew', 'consent_withdrawn', 'person_erased', 'retracted'] as const;
export type WithdrawalCause = (typeof WITHDRAWAL_CAUSES)[number];

const RULES: Record<TransferAction, { by: TransferSide; to: TransferStatus }> = {
  accept: { by: 'destination', to: 'completed' },
  reject: { by: 'destination', to: 'rejected' },
  expire: { by: 'destination', to: 'expired' },
  withdraw: { by: 'origin', to: 'withdrawn' },
};

export type TransferDecision =
  | { ok: true; status: TransferStatus; changed: boolean }
  /** 409: the transfer was already decided (or withdrawn). */
  | { ok: false; code: 'already-decided'; status: TransferStatus }
  /** 403: only the destination decides, only the origin withdraws. */
  | { ok: false; code: 'not-your-side'; action: TransferAction; side: TransferSide };

/**
 * One step of a transfer, the same on both nodes: the side that acts here, or whose decision
 * arrived here. Only a pending transfer moves; the same step again (a repeated call or envelope)
 * changes nothing.
 */
export function decideTransfer(status: TransferStatus, action: TransferAction, by: TransferSide): TransferDecision {
  const rule = RULES[action];
  if (rule.by !== by) return { ok: false, code: 'not-your-side', action, side: by };
  if (status === rule.to) return { ok: true, status, changed: false };
  if (status !== 'pending') return { ok: false, code: 'already-decided', status };
  return { ok: true, status: rule.to, changed: true };
}

/** Person fields a package may carry, before the agreement and the consent narrow them. */
export const TRANSFER_PERSON_FIELDS = ['givenNames', 'familyNames', 'birthDate', 'birthDateEstimated', 'sex', 'nationality', 'relationship', 'vulnerabilityFlags'] as const;
export type TransferPersonField = (typeof TRANSFER_PERSON_FIELDS)[number];

/** One person of the case, as the package is built from. */
export interface TransferCandidate {
  personId: string;
  nationality: string | null;
  flags: readonly string[];
  /** The person's cross-border transfer consent in force for the destination (fields it covers, or all), or null. */
  consent: { fields?: readonly string[] } | null;
  /** An authorized officer's protection override for the destination and this kind is in force (audited where granted). */
  overridden?: boolean;
  values: Partial<Record<TransferPersonField, unknown>>;
}

export type PackageDecision =
  | { allowed: true; persons: { personId: string; fields: TransferPersonField[]; values: Partial<Record<TransferPersonField, unknown>> }[]; overridden: boolean }
  | { allowed: false; reason: 'no-agreement' | 'no-consent' | 'protection-block'; personId: string }
  | { allowed: false; reason: 'no-persons' };

/**
 * The package's persons: each one's fields narrowed to agreement ∩ their consent. A household
 * moves as one: one person without a consent in force, or under the protection block toward the
 * destination (a national of it with a fear of return, an asylum claim or an agreed protection
 * flag), and nothing is sent.
 */
export function decidePackage(candidates: readonly TransferCandidate[], agreement: BorderAgreement): PackageDecision {
  // A case whose every member was erased (or that has none) has nobody whose custody could move.
  if (candidates.length === 0) return { allowed: false, reason: 'no-persons' };
  const persons: { personId: string; fields: TransferPersonField[]; values: Partial<Record<TransferPersonField, unknown>> }[] = [];
  let overridden = false;
  for (const c of candidates) {
    const decision = decideCrossing(
      'custody-transfer',
      {
        nationality: c.nationality,
        ...protectionOf(c.flags),
        consents: c.consent ? [{ purpose: 'cross_border_transfer', fields: c.consent.fields }] : [],
        sentTo: [],
        overrides: c.overridden ? [{ node: agreement.node, kind: 'custody-transfer' }] : [],
      },
      agreement,
      [...TRANSFER_PERSON_FIELDS],
    );
    if (!decision.allowed) return { allowed: false, reason: decision.reason === 'nothing-sent' ? 'no-agreement' : decision.reason, personId: c.personId };
    overridden ||= decision.overridden;
    const fields = decision.fields as TransferPersonField[];
    persons.push({ personId: c.personId, fields, values: Object.fromEntries(fields.filter((f) => c.values[f] !== undefined).map((f) => [f, c.values[f]])) });
  }
  return { allowed: true, persons, overridden };
}

/** The package's case-level field for the origin's screening summary (agreement `fields["custody-transfer"]`). */
export const SCREENING_FIELD = 'screening';

/** The screening summary travels when the agreement lists no fields for transfers (every field) or lists it. */
export function screeningMayTravel(agreement: BorderAgreement): boolean {
  if (!agreement.kinds.includes('custody-transfer')) return false;
  const allowed = agreement.fields?.['custody-transfer'];
  return allowed === undefined || allowed.includes(SCREENING_FIELD);
}

/** A consent of the package, as the destination decides whether to record it. */
export interface ArrivingConsent {
  purpose: string;
  destinationCountry: string;
  partnerId: string;
  /** The person who gave it is one of the persons the destination now knows. */
  personKnown: boolean;
}

export type ConsentImport = { record: true } | { record: false; why: 'person-not-transferred' | 'served-by-this-transfer' | 'partner-unknown-here' };

/**
 * Which consents of an accepted package the destination records (with their provenance): those
 * of the persons it took in, except a cross-border transfer consent toward the destination itself
 * (the transfer used it; a consent to leave for the node one is at means nothing there) and a
 * consent naming a partner this node's directory does not know (recorded as is, it would name
 * nobody; widened to any partner, it would allow more than was consented).
 */
export function decideConsentImport(c: ArrivingConsent, destination: string, partnerKnown: boolean): ConsentImport {
  if (!c.personKnown) return { record: false, why: 'person-not-transferred' };
  if (c.purpose === 'cross_border_transfer' && c.destinationCountry === destination) return { record: false, why: 'served-by-this-transfer' };
  if (c.partnerId && !partnerKnown) return { record: false, why: 'partner-unknown-here' };
  return { record: true };
}
