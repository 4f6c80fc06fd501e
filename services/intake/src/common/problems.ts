import { ParseUUIDPipe } from '@nestjs/common';
import { PURPOSE_REQUIRED_PROBLEM, type AuditLog, PURPOSE_HEADER } from '@puente/audit';
import { ProblemException, ProblemTypes, validationProblem } from '@puente/platform';
import { PrivacyError } from '@puente/privacy';
import type { FastifyRequest } from 'fastify';

/** Problem `type` slugs of intake (https://puente.dev/problems/<slug>). */
export const IntakeProblemTypes = {
  /** 422: a field names something that does not exist or may not be used here (site, case, person, partner). */
  UNKNOWN_REFERENCE: 'unknown-reference',
  /** 409: the change is not allowed in the object's current state (closed case, withdrawn consent…). */
  ILLEGAL_TRANSITION: ProblemTypes.ILLEGAL_TRANSITION,
  /** 409: the object already exists (site code, partner id, household of a case). */
  ALREADY_EXISTS: 'already-exists',
  /** 410: the person's personal data was erased. */
  PERSONAL_DATA_ERASED: 'personal-data-erased',
  /** 409: the person was already erased. */
  ALREADY_ERASED: 'already-erased',
  /** 400: `X-Purpose` is missing or not an allowed purpose. */
  PURPOSE_REQUIRED: PURPOSE_REQUIRED_PROBLEM,
} as const;

/**
 * 422 naming the field that refers to something unknown. The same answer whether the object
 * does not exist or is outside the caller's jurisdiction, so ids cannot be probed.
 */
export function unknownReference(field: string, what: string): ProblemException {
  return new ProblemException(422, IntakeProblemTypes.UNKNOWN_REFERENCE, 'Unknown reference', `No ${what} matches ${field} in your jurisdiction.`, {
    errors: [{ field, message: `${field} does not name a known ${what}`, code: 'unknownReference' }],
  });
}

/** 400 with one field error (a rule class-validator cannot express on its own). */
export function fieldProblem(field: string, message: string, code: string): ProblemException {
  return validationProblem([{ field, message, code }]);
}

/** 409 for a change the object's state does not allow. */
export function illegalTransition(detail: string, extensions: Record<string, unknown> = {}): ProblemException {
  return new ProblemException(409, IntakeProblemTypes.ILLEGAL_TRANSITION, 'Illegal transition', detail, extensions);
}

/** 409 for something that exists already. */
export function alreadyExists(field: string, what: string): ProblemException {
  return new ProblemException(409, IntakeProblemTypes.ALREADY_EXISTS, `${what[0].toUpperCase()}${what.slice(1)} already exists`, `A ${what} with this ${field} already exists.`, {
    errors: [{ field, message: `${field} is already used by another ${what}`, code: 'alreadyExists' }],
  });
}

/** The problem for a privacy-library error (410 erased, 409 already erased, 500 integrity…). */
export function privacyProblem(error: PrivacyError): ProblemException {
  const extensions: Record<string, unknown> = {};
  const erasedAt = (error as { erasedAt?: unknown }).erasedAt;
  if (erasedAt instanceof Date) extensions.erasedAt = erasedAt.toISOString();
  return new ProblemException(error.httpStatus, error.problemType, error.title, error.message, extensions, { cause: error });
}

/** Rethrows privacy errors as problems; anything else unchanged. */
export function rethrowPrivacy(error: unknown): never {
  if (error instanceof PrivacyError) throw privacyProblem(error);
  throw error;
}

/** The purpose of a change from `X-Purpose` (400 `purpose-required` when missing or not allowed). */
export function purposeFrom(request: FastifyRequest, audit: AuditLog): string {
  const raw = request.headers[PURPOSE_HEADER];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim().toLowerCase();
  if (value && audit.isAllowedPurpose(value)) return value;
  throw new ProblemException(400, IntakeProblemTypes.PURPOSE_REQUIRED, 'Purpose required', `Send the X-Purpose header with one of: ${audit.purposes.join(', ')}.`, {
    allowedPurposes: [...audit.purposes],
  });
}

/** Path parameter pipe: a UUID, else 400 with a field error naming the parameter. */
export function uuidParam(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => fieldProblem(name, `${name} must be a UUID`, 'isUuid') });
}
