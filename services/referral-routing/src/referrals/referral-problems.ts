import { ProblemException } from '@puente/platform';
import type { TransitionRefusal } from './referral-state-machine';

/** Problem `type` slugs of referrals (`https://puente.dev/problems/<slug>`). */
export const ReferralProblemTypes = {
  ILLEGAL_TRANSITION: 'illegal-referral-transition',
  ACTOR_NOT_ALLOWED: 'referral-action-not-allowed',
  INVALID_TRANSITION: 'invalid-referral-transition',
  NO_CAPACITY: 'program-full',
  REFERRAL_NOT_ALLOWED: 'referral-not-allowed',
  NOT_ELIGIBLE: 'case-not-eligible',
  UNKNOWN_PROGRAM: 'unknown-program',
  REFERRAL_ALREADY_OPEN: 'referral-already-open',
  INVALID_REFERRAL: 'invalid-referral',
  REFERRAL_CLOSED: 'referral-closed',
  INTAKE_UNAVAILABLE: 'intake-unavailable',
} as const;

/** 409 / 403 / 422 for a transition the state machine refused. */
export function refusalProblem(refusal: TransitionRefusal): ProblemException {
  switch (refusal.code) {
    case 'illegal_transition':
      return new ProblemException(409, ReferralProblemTypes.ILLEGAL_TRANSITION, 'Illegal transition', `A referral that is ${refusal.from} cannot be moved by "${refusal.action}".`, {
        referralStatus: refusal.from,
        action: refusal.action,
      });
    case 'actor_not_allowed':
      return new ProblemException(403, ReferralProblemTypes.ACTOR_NOT_ALLOWED, 'Not yours to do', `"${refusal.action}" is done by the ${refusal.allowed.join(' or ')}, not the ${refusal.role}.`, {
        action: refusal.action,
      });
    case 'invalid_input':
      return new ProblemException(422, ReferralProblemTypes.INVALID_TRANSITION, 'Invalid transition', `The ${refusal.field} is not one this transition accepts.`, {
        errors: [{ field: refusal.field, code: 'isIn', message: refusal.allowed.length ? `must be one of: ${refusal.allowed.join(', ')}` : `not accepted on this transition` }],
      });
  }
}

export function noCapacityProblem(programId: string): ProblemException {
  return new ProblemException(409, ReferralProblemTypes.NO_CAPACITY, 'Program full', 'The program has no open slot left; reject with reason no_capacity or hold with reason waitlisted.', {
    programId,
  });
}

/** Why a referral may not be made: missing consent, no agreement, case unknown, closed or erased. */
export type NotAllowedReason =
  | 'case-unknown'
  | 'case-closed'
  | 'person-erased'
  | 'no-referral-consent'
  | 'no-data-sharing-agreement'
  | 'partner-inactive'
  | 'program-not-active'
  | 'member-not-in-case';

export function referralNotAllowedProblem(reason: NotAllowedReason): ProblemException {
  return new ProblemException(409, ReferralProblemTypes.REFERRAL_NOT_ALLOWED, 'Referral not allowed', `This referral cannot be made: ${reason}.`, { reason });
}
