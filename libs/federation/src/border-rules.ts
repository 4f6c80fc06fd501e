import { EXCHANGE_KINDS, type ExchangeKind } from './exchange-kinds';

/** A consent in force: its purpose and, when it narrows them, the fields it covers. */
export interface ConsentInForce {
  purpose: string;
  fields?: readonly string[];
}

/** What the border needs to know about the person an envelope is about. */
export interface BorderSubject {
  /** ISO 3166-1 alpha-2 nationality, when known. */
  nationality: string | null;
  fearOfReturn: boolean;
  asylumClaim: boolean;
  /** Protection flags recorded for the person (screening codes, e.g. `trafficking_indicators`). */
  protectionFlags: readonly string[];
  consents: readonly ConsentInForce[];
  /** Nodes that already received something about the person (retractions go to them). */
  sentTo: readonly string[];
  /** Audited protection overrides recorded by an authorized officer: per node, per kind. */
  overrides: readonly { node: string; kind: ExchangeKind }[];
}

/** The agreement with one peer, as far as the border is concerned. */
export interface BorderAgreement {
  node: string;
  /** Kinds agreed in the sending direction. */
  kinds: readonly ExchangeKind[];
  /** Fields the agreement allows per kind; a kind without a list allows every field. */
  fields?: Partial<Record<ExchangeKind, readonly string[]>>;
  /** Protection flags that, besides fear of return and an asylum claim, block the nationality's node. */
  protectionFlags?: readonly string[];
}

export type BorderRefusal = 'no-agreement' | 'no-consent' | 'protection-block' | 'nothing-sent';

export type BorderDecision =
  | { allowed: true; fields: string[]; overridden: boolean }
  | { allowed: false; reason: BorderRefusal };

/** True when the person must not be reported to their nationality's node (`to`). */
export function protectionBlocks(subject: BorderSubject, agreement: BorderAgreement): boolean {
  if (subject.nationality === null || subject.nationality !== agreement.node) return false;
  if (subject.fearOfReturn || subject.asylumClaim) return true;
  const named = agreement.protectionFlags ?? [];
  return subject.protectionFlags.some((f) => named.includes(f));
}

/**
 * May an envelope of `kind` about `subject`, carrying `fields`, go to the agreement's node?
 * - a retraction goes to every node that received something about the person, whatever the
 *   consent, agreement or protection status (it deletes, it reveals nothing new);
 * - otherwise: the kind must be agreed with that node, a consent for the kind's purpose must be
 *   in force, and the protection block must not apply (or an override for that node and kind
 *   was recorded); what crosses is the requested fields ∩ agreement ∩ consent.
 */
export function decideCrossing(kind: ExchangeKind, subject: BorderSubject, agreement: BorderAgreement, fields: readonly string[]): BorderDecision {
  const spec = EXCHANGE_KINDS[kind];
  if ('retracts' in spec && spec.retracts) {
    return subject.sentTo.includes(agreement.node) ? { allowed: true, fields: [...fields], overridden: false } : { allowed: false, reason: 'nothing-sent' };
  }
  if (!agreement.kinds.includes(kind)) return { allowed: false, reason: 'no-agreement' };
  let consented: readonly string[] | undefined;
  if (spec.consentPurpose !== null) {
    const consent = subject.consents.find((c) => c.purpose === spec.consentPurpose);
    if (!consent) return { allowed: false, reason: 'no-consent' };
    consented = consent.fields;
  }
  let overridden = false;
  if (spec.aboutPerson && protectionBlocks(subject, agreement)) {
    overridden = subject.overrides.some((o) => o.node === agreement.node && o.kind === kind);
    if (!overridden) return { allowed: false, reason: 'protection-block' };
  }
  const agreed = agreement.fields?.[kind];
  const minimized = fields.filter((f) => (!agreed || agreed.includes(f)) && (!consented || consented.includes(f)));
  return { allowed: true, fields: minimized, overridden };
}

/** The receiving side of an agreement: this node, and what it accepts from the peer. */
export interface ArrivalAgreement {
  /** The receiving node (this one). */
  node: string;
  /** Fields accepted per kind; a kind without a list accepts every field. */
  fields?: Partial<Record<ExchangeKind, readonly string[]>>;
  protectionFlags?: readonly string[];
}

/** What an arriving envelope says about its person, as far as the border is concerned. */
export interface Arrival {
  /** The fields the payload carries (beyond ids). */
  fields: readonly string[];
  /** Null when the payload names no person's attributes (an answer about a case the receiver sent). */
  subject: Pick<BorderSubject, 'nationality' | 'fearOfReturn' | 'asylumClaim' | 'protectionFlags'> | null;
  /** The sender recorded a protection override for this node and kind (audited there). */
  overridden: boolean;
}

/**
 * The receiving node's own check of an opened envelope, after the sender's decideCrossing: a
 * payload with fields the agreement does not name is refused (`beyond-agreement`), and so is one
 * about a person the protection block covers toward this node (`protection-block`), unless the
 * sender recorded an override. Null: the envelope may be applied.
 */
export function checkArrival(kind: ExchangeKind, arrival: Arrival, agreement: ArrivalAgreement): 'beyond-agreement' | 'protection-block' | null {
  const accepted = agreement.fields?.[kind];
  if (accepted && arrival.fields.some((f) => !accepted.includes(f))) return 'beyond-agreement';
  if (EXCHANGE_KINDS[kind].aboutPerson && arrival.subject && !arrival.overridden) {
    const s = { ...arrival.subject, consents: [], sentTo: [], overrides: [] };
    if (protectionBlocks(s, { node: agreement.node, kinds: [], protectionFlags: agreement.protectionFlags })) return 'protection-block';
  }
  return null;
}
