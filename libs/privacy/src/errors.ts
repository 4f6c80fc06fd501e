/**
 * Typed errors of the privacy library. Messages never contain personal data, plaintext,
 * ciphertext or key material; `personId` (a pseudonymous id that other services already
 * see) is kept as a property, never in the message.
 *
 * Each error carries the HTTP status and RFC 9457 problem `type` slug a service should
 * answer with, so a controller maps it in one line:
 * `throw new ProblemException(e.httpStatus, e.problemType, e.title)`.
 */
export abstract class PrivacyError extends Error {
  abstract readonly httpStatus: number;
  abstract readonly problemType: string;
  abstract readonly title: string;
}

/** The person's data key was shredded: their personal data no longer exists anywhere. → 410 */
export class PersonErasedError extends PrivacyError {
  override readonly name = 'PersonErasedError';
  readonly httpStatus = 410;
  readonly problemType = 'personal-data-erased';
  readonly title = 'Personal data erased';

  constructor(
    readonly personId: string,
    readonly erasedAt: Date,
  ) {
    super('The personal data of this person was erased (crypto-shredded).');
  }
}

/** `shred()` on a person who is already erased. → 409 */
export class AlreadyErasedError extends PrivacyError {
  override readonly name = 'AlreadyErasedError';
  readonly httpStatus = 409;
  readonly problemType = 'already-erased';
  readonly title = 'Personal data already erased';

  constructor(
    readonly personId: string,
    readonly erasedAt: Date,
  ) {
    super('The personal data of this person was already erased.');
  }
}

/**
 * Ciphertexts exist for a person who has no data key at all (neither active nor erased):
 * the data was not written through this vault or the key row was lost. → 500
 */
export class DataKeyNotFoundError extends PrivacyError {
  override readonly name = 'DataKeyNotFoundError';
  readonly httpStatus = 500;
  readonly problemType = 'data-key-not-found';
  readonly title = 'Data key not found';

  constructor(readonly personId: string) {
    super('No data key exists for this person, so their ciphertexts cannot be decrypted.');
  }
}

/**
 * Authenticated decryption failed: the bytes were altered, truncated, bound to another
 * context (other person, other field) or encrypted under another key. Never ignored,
 * never turned into plaintext. → 500
 */
export abstract class IntegrityError extends PrivacyError {
  readonly httpStatus = 500;
  readonly problemType = 'integrity-error';
  readonly title = 'Stored data failed its integrity check';
}

export type CiphertextFailure = 'malformed' | 'unsupported-version' | 'authentication-failed';

/** A field ciphertext is malformed or failed AES-GCM authentication. */
export class CiphertextIntegrityError extends IntegrityError {
  override readonly name = 'CiphertextIntegrityError';

  constructor(
    readonly field: string,
    readonly reason: CiphertextFailure,
  ) {
    super(`Ciphertext of field "${field}" failed its integrity check (${reason}).`);
  }
}

/** A wrapped data key is malformed or failed AES-GCM authentication under its KEK. */
export class DataKeyIntegrityError extends IntegrityError {
  override readonly name = 'DataKeyIntegrityError';

  constructor(
    readonly personId: string,
    readonly reason: CiphertextFailure,
  ) {
    super(`A wrapped data key failed its integrity check (${reason}).`);
  }
}

/** A data key is wrapped under a KEK id that is not in this node's keyring. → 500 */
export class UnknownKeyEncryptionKeyError extends PrivacyError {
  override readonly name = 'UnknownKeyEncryptionKeyError';
  readonly httpStatus = 500;
  readonly problemType = 'unknown-key-encryption-key';
  readonly title = 'Unknown key-encryption key';

  constructor(readonly kid: string) {
    super(`Key-encryption key "${kid}" is not in the keyring (PUENTE_KEKS).`);
  }
}

/** PUENTE_KEKS / PUENTE_ACTIVE_KEK are missing or invalid (the message names the problem, never the key). */
export class KeyringConfigError extends Error {
  override readonly name = 'KeyringConfigError';
}

/**
 * A caller passed an argument the library cannot accept (not a UUID, not a string, a lone
 * surrogate, a bad field name, an impossible birth date, …). The message never repeats the
 * value. → 400/422 at the edge; usually a programming error.
 */
export class PrivacyInputError extends PrivacyError {
  override readonly name = 'PrivacyInputError';
  readonly httpStatus = 422;
  readonly problemType = 'unprocessable-entity';
  readonly title = 'Invalid input for personal data processing';
}
