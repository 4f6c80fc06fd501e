import { type FieldError, ProblemException } from '@puente/platform';

/** Problem `type` slugs of the reception service (`https://puente.dev/problems/<slug>`). */
export const ReceptionProblemTypes = {
  ALREADY_EXISTS: 'already-exists',
  INVALID_MANIFEST: 'invalid-manifest',
  MANIFEST_TOO_LARGE: 'manifest-too-large',
  ALREADY_CHECKED_IN: 'already-checked-in',
  ARRIVAL_NOT_READY: 'arrival-not-ready',
  SERVICE_NOT_OFFERED: 'service-not-offered',
  CHILD_HANDOVER_REQUIRED: 'child-handover-required',
  NOT_A_CHILD_ARRIVAL: 'not-an-unaccompanied-child',
  INTAKE_UNAVAILABLE: 'intake-unavailable',
  INTERVIEW_RECORDED: 'interview-already-recorded',
  FAMILY_TRACING_REFUSED: 'family-tracing-refused',
  ROUTING_UNAVAILABLE: 'routing-unavailable',
  CONSENT_REFUSED: 'consent-refused',
} as const;

export function alreadyExists(field: string, what: string): ProblemException {
  return new ProblemException(409, ReceptionProblemTypes.ALREADY_EXISTS, `${what[0].toUpperCase()}${what.slice(1)} already exists`, `A ${what} with this ${field} already exists.`, {
    errors: [{ field, message: `${field} is already used by another ${what}`, code: 'alreadyExists' }],
  });
}

/** 422 for a manifest that cannot be taken at all (no rows, unknown center, a past date): nothing is stored. */
export function invalidManifest(errors: FieldError[]): ProblemException {
  return new ProblemException(422, ReceptionProblemTypes.INVALID_MANIFEST, 'Invalid manifest', 'The manifest as a whole cannot be accepted; nothing was stored.', { errors });
}

export function conflict(type: string, title: string, detail: string): ProblemException {
  return new ProblemException(409, type, title, detail);
}
