// The border as cross-border referrals see it: pure, no clock, no database. What may leave with a
// referral to a program hosted on another node, what an arriving request says for the receiving
// node's own check, and which transitions go to the other side.
import { type Arrival, type BorderAgreement, type BorderSubject, decideCrossing } from '@puente/federation';
import { REFERRAL_ACTIONS, REFERRAL_OUTCOMES, REFERRAL_ROLES, type ReferralAction, type ReferralRole, ALL_MILESTONES, STATUS_REASONS } from '../referrals/referral-state-machine';

/** The two sides of a cross-border referral: the origin keeps custody, the host runs the program. */
export type CrossBorderDirection = 'outbound' | 'inbound';

/** What the border needs of the case behind a referral (from routing's case read model). */
export interface ReferralBorderFacts {
  nationality: string | null;
  flags: readonly string[];
  /** The program's pathway: a referral to an asylum program is itself an asylum claim. */
  pathway: string;
  /** The case fields the person's referral consent lets a partner have, or null without one. */
  consentedFields: readonly string[] | null;
}

/** The person, as decideCrossing reads them, for a referral. */
export function referralSubject(facts: ReferralBorderFacts): BorderSubject {
  return {
    nationality: facts.nationality,
    fearOfReturn: facts.flags.includes('fear_of_return'),
    asylumClaim: facts.pathway === 'asylum',
    protectionFlags: [...facts.flags],
    consents: facts.consentedFields ? [{ purpose: 'referral', fields: facts.consentedFields }] : [],
    sentTo: [],
    // Overrides are recorded by an authorized officer; none is recorded for referrals yet.
    overrides: [],
  };
}

export type ReferralCrossing =
  | { allowed: true; view: Record<string, unknown>; fields: string[]; overridden: boolean }
  | { allowed: false; reason: 'no-agreement' | 'no-consent' | 'protection-block' };

/**
 * May a referral carrying `view` (the case already minimized for the partner, agreement ∩
 * consent) go to the node hosting the program, and what of it? The node agreement narrows the
 * fields again; the protection block applies toward the person's nationality.
 */
export function decideReferralCrossing(facts: ReferralBorderFacts, agreement: BorderAgreement, view: Readonly<Record<string, unknown>>): ReferralCrossing {
  const decision = decideCrossing('referral', referralSubject(facts), agreement, Object.keys(view));
  if (!decision.allowed) return { allowed: false, reason: decision.reason === 'nothing-sent' ? 'no-agreement' : decision.reason };
  // Ids travel whatever the lists say: without them the host cannot serve the case.
  const fields = [...new Set(['caseId', 'coveredPersonIds', ...decision.fields])].filter((f) => f in view);
  return { allowed: true, view: Object.fromEntries(fields.map((f) => [f, view[f]])), fields, overridden: decision.overridden };
}

/** What an arriving request tells the receiving node's own border check. */
export function arrivalOfRequest(request: { fields: readonly string[]; border?: { nationalities: readonly string[]; fearOfReturn: boolean; asylumClaim: boolean; protectionFlags: readonly string[]; protectionOverride: boolean } }): Arrival[] {
  const b = request.border;
  const nationalities = b && b.nationalities.length > 0 ? b.nationalities : [null];
  // One arrival per nationality: the block applies if any person covered is a national of this node.
  return nationalities.map((nationality) => ({
    fields: request.fields.filter((f) => f !== 'caseId' && f !== 'coveredPersonIds'),
    subject: b ? { nationality, fearOfReturn: b.fearOfReturn, asylumClaim: b.asylumClaim, protectionFlags: b.protectionFlags } : null,
    overridden: b?.protectionOverride ?? false,
  }));
}

/**
 * Whether a transition just applied to one side's copy goes to the other side: every one, except
 * what arrived from the other side (it came from there) and SLA expiry at the origin (the host's
 * timers decide; the origin does not run them on an outbound referral).
 */
export function forwardsTransition(direction: CrossBorderDirection, action: ReferralAction, fromPeer: boolean): boolean {
  if (fromPeer) return false;
  return !(direction === 'outbound' && action === 'expire');
}

/** An update as it arrives, checked against the state machine's vocabulary before anything is applied. */
export interface ReferralUpdate {
  action: ReferralAction;
  reason: string;
  milestone?: string;
  outcome?: string;
  role: ReferralRole;
}

/**
 * Reads an arriving update; null when a code is not one the state machine knows (the envelope is
 * malformed). Who may send what: the host reports the partner's and its own system's transitions,
 * the origin its caseworker's and its own system's.
 */
export function readUpdate(
  u: { action: string; reason: string; milestone: string; outcome: string; actorRole: string },
  direction: CrossBorderDirection,
): ReferralUpdate | null {
  if (!(REFERRAL_ACTIONS as readonly string[]).includes(u.action)) return null;
  if (!(REFERRAL_ROLES as readonly string[]).includes(u.actorRole)) return null;
  if (!(STATUS_REASONS as readonly string[]).includes(u.reason)) return null;
  if (u.milestone !== '' && !ALL_MILESTONES.includes(u.milestone)) return null;
  if (u.outcome !== '' && !(REFERRAL_OUTCOMES as readonly string[]).includes(u.outcome)) return null;
  const role = u.actorRole as ReferralRole;
  // An outbound referral hears from the host (partner, system); an inbound one from the origin (referrer, system).
  if (direction === 'outbound' ? role === 'referrer' : role === 'partner') return null;
  return { action: u.action as ReferralAction, reason: u.reason, role, ...(u.milestone && { milestone: u.milestone }), ...(u.outcome && { outcome: u.outcome }) };
}
