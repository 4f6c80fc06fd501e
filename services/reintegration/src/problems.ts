import { type FieldError, ProblemException } from '@puente/platform';

/** Problem `type` slugs of the reintegration service (`https://puente.dev/problems/<slug>`). */
export const ReintegrationProblemTypes = {
  CONSENT_REQUIRED: 'consent-required',
  PERSON_ERASED: 'person-erased',
  INVALID_TRANSITION: 'invalid-transition',
  PLAN_CLOSED: 'plan-closed',
  ALREADY_EXISTS: 'already-exists',
  ALREADY_COMPLETED: 'already-completed',
  UNKNOWN_CODE: 'unknown-code',
} as const;

/** 403: a member has no reintegration_support consent in force (nothing is written). */
export function consentRequired(errors: FieldError[]): ProblemException {
  return new ProblemException(403, ReintegrationProblemTypes.CONSENT_REQUIRED, 'Consent required', 'A reintegration_support consent must be in force for every member of the plan; nothing was written.', { errors });
}

/** 410: the person's data was erased; nothing more is done for them. */
export function personErased(field: string): ProblemException {
  return new ProblemException(410, ReintegrationProblemTypes.PERSON_ERASED, 'Person erased', 'The person was erased; reintegration keeps nothing more about them.', {
    errors: [{ field, message: 'the person was erased', code: 'personErased' }],
  });
}

export function conflict(type: string, title: string, detail: string, errors?: FieldError[]): ProblemException {
  return new ProblemException(409, type, title, detail, errors ? { errors } : undefined);
}

/** 422: the request is well-formed but names codes or ids this node does not know. */
export function unknownCodes(errors: FieldError[]): ProblemException {
  return new ProblemException(422, ReintegrationProblemTypes.UNKNOWN_CODE, 'Unknown code', 'The request names codes or ids this service does not know; nothing was written.', { errors });
}
