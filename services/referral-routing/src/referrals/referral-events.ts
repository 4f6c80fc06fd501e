// Referral events as protobuf messages (puente.referral.v1): codes mapped to the contract's enums
// by name, so the state machine's code lists and the contract cannot drift (a test checks every code).
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import {
  DeliveryChannel,
  ReferralAcceptedSchema,
  ReferralCancelledSchema,
  ReferralCompletedSchema,
  ReferralEnteredInErrorSchema,
  ReferralExpiredSchema,
  ReferralFailedSchema,
  ReferralMilestone,
  ReferralOutcome,
  ReferralProgressedSchema,
  ReferralPutOnHoldSchema,
  ReferralReceivedSchema,
  ReferralRejectedSchema,
  ReferralResumedSchema,
  ReferralSentSchema,
  ReferralStartedSchema,
  ReferralStatus,
  ReferralStatusReason,
  SlaKind,
  type ReferralTransitionSchema,
} from '@puente/contracts';
import type { DeliveryChannel as Channel } from '../directory/vocabulary';
import type { ReferralAction, ReferralStatus as Status } from './referral-state-machine';

/** The enum value named like `code` (`in_progress` → IN_PROGRESS); UNSPECIFIED (0) for null. */
export function enumOf<E extends Record<string, string | number>>(enumeration: E, code: string | null | undefined): E[keyof E] {
  if (code === null || code === undefined) return 0 as E[keyof E];
  const value = enumeration[code.toUpperCase() as keyof E];
  if (typeof value !== 'number') throw new Error(`no contract value for code ${JSON.stringify(code)}`);
  return value;
}

export const statusEnum = (s: Status | null) => enumOf(ReferralStatus, s);
export const reasonEnum = (r: string) => enumOf(ReferralStatusReason, r);
export const milestoneEnum = (m: string | null) => enumOf(ReferralMilestone, m);
export const outcomeEnum = (o: string | null) => enumOf(ReferralOutcome, o);
export const channelEnum = (c: Channel) => enumOf(DeliveryChannel, c);

/** The event each action emits. */
export const TRANSITION_EVENTS = {
  send: ReferralSentSchema,
  receive: ReferralReceivedSchema,
  accept: ReferralAcceptedSchema,
  reject: ReferralRejectedSchema,
  start: ReferralStartedSchema,
  hold: ReferralPutOnHoldSchema,
  resume: ReferralResumedSchema,
  progress: ReferralProgressedSchema,
  complete: ReferralCompletedSchema,
  cancel: ReferralCancelledSchema,
  fail: ReferralFailedSchema,
  expire: ReferralExpiredSchema,
  mark_in_error: ReferralEnteredInErrorSchema,
} as const satisfies Record<ReferralAction, DescMessage>;

/** What the action-specific fields of a transition event are built from. */
export interface TransitionExtras {
  outcome?: string | null;
  channel?: Channel;
  sla?: 'acknowledge' | 'decide';
}

/** The event of one transition: its schema and payload (the common part plus the action's own fields). */
export function transitionEvent(
  action: ReferralAction,
  transition: MessageInitShape<typeof ReferralTransitionSchema>,
  extras: TransitionExtras = {},
): { schema: DescMessage; payload: Record<string, unknown> } {
  const payload: Record<string, unknown> = { transition };
  if (action === 'complete') payload.outcome = outcomeEnum(extras.outcome ?? null);
  if ((action === 'send' || action === 'fail') && extras.channel) payload.channel = channelEnum(extras.channel);
  if (action === 'expire' && extras.sla) payload.sla = extras.sla === 'acknowledge' ? SlaKind.ACKNOWLEDGE : SlaKind.DECIDE;
  return { schema: TRANSITION_EVENTS[action], payload };
}

