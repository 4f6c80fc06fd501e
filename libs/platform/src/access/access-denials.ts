import type { ExecutionContext } from '@nestjs/common';

/** Why a guard refused an authenticated caller before any handler ran. */
export type AccessDenialReason = 'insufficient-scope';

/**
 * Told by the auth guard when it refuses a caller whose token it verified (the principal is on
 * the request): guards run before interceptors, so without this hook an audited route would
 * never learn of the attempt. libs/audit provides the implementation (a `denied` record on
 * @Audited routes); the auth library does not depend on it. Unauthenticated calls (401) are not
 * recorded here: they carry no verified actor and would let anyone write audit rows.
 */
export abstract class AccessDenials {
  abstract refused(context: ExecutionContext, reason: AccessDenialReason): Promise<void>;
}
