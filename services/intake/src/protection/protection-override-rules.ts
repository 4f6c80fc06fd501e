import { EXCHANGE_KINDS, type ExchangeKind } from '@puente/federation';

/** Why an officer lifts the block (closed codes: the reason itself stays in the case file, not here). */
export const OVERRIDE_PURPOSES = ['family_tracing', 'voluntary_return', 'legal_proceedings', 'life_saving'] as const;
export type OverridePurpose = (typeof OVERRIDE_PURPOSES)[number];

/**
 * Reintegration sends these itself and does not read intake's overrides yet: an override recorded
 * for them would lift nothing, so none can be recorded (the block always holds there).
 */
const NOT_HONOURED_YET: ReadonlySet<ExchangeKind> = new Set<ExchangeKind>(['avr', 'reintegration-outcome']);

/** Kinds an override may lift: those about a person sent under a consent (retractions are never blocked). */
export const OVERRIDABLE_KINDS = (Object.keys(EXCHANGE_KINDS) as ExchangeKind[]).filter(
  (k) => EXCHANGE_KINDS[k].aboutPerson && EXCHANGE_KINDS[k].consentPurpose !== null && !NOT_HONOURED_YET.has(k),
);

/** An override lasts at most 30 days; a longer need is granted again, and audited again. */
export const MAX_OVERRIDE_HOURS = 30 * 24;

export interface OverrideTerms {
  node: string;
  kinds: readonly string[];
  validForHours: number;
}

export interface OverrideContext {
  ownNode: string;
  peers: readonly string[];
  /** Whether the protection block applies to the person toward `node` at all. */
  blockedToward: (node: string) => boolean;
}

/** Field errors of a requested override; empty when it may be granted. */
export function overrideErrors(terms: OverrideTerms, context: OverrideContext): { field: string; message: string; code: string }[] {
  const errors: { field: string; message: string; code: string }[] = [];
  if (terms.node === context.ownNode || !context.peers.includes(terms.node)) {
    errors.push({ field: 'node', message: 'node must be a peer node of this node', code: 'unknownNode' });
  } else if (!context.blockedToward(terms.node)) {
    errors.push({ field: 'node', message: 'the protection block does not apply to this person toward this node', code: 'notBlocked' });
  }
  if (!Number.isInteger(terms.validForHours) || terms.validForHours < 1 || terms.validForHours > MAX_OVERRIDE_HOURS) {
    errors.push({ field: 'validForHours', message: `validForHours must be a whole number from 1 to ${MAX_OVERRIDE_HOURS}`, code: 'max' });
  }
  return errors;
}

/** Whether an override lifts the block at `at`: granted, not yet expired. */
export function overrideInForce(o: { grantedAt: Date; expiresAt: Date }, at: Date): boolean {
  return o.grantedAt.getTime() <= at.getTime() && at.getTime() < o.expiresAt.getTime();
}

/** The (node, kind) pairs the overrides in force at `at` lift, for the border rules. */
export function liftedAt(overrides: readonly { node: string; kinds: readonly string[]; grantedAt: Date; expiresAt: Date }[], at: Date): { node: string; kind: ExchangeKind }[] {
  return overrides
    .filter((o) => overrideInForce(o, at))
    .flatMap((o) => o.kinds.filter((k): k is ExchangeKind => (OVERRIDABLE_KINDS as string[]).includes(k)).map((kind) => ({ node: o.node, kind })));
}
