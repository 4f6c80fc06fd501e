import { PrivacyInputError } from '../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** Separator inside associated data; it cannot occur in a UUID, a kid or a field name. */
export const AAD_SEPARATOR = '\x1f';

/** Validates a person id (UUID, any case) and returns its canonical lower-case form. */
export function canonicalPersonId(personId: unknown): string {
  if (typeof personId !== 'string' || !UUID.test(personId)) {
    throw new PrivacyInputError('personId must be a UUID.');
  }
  return personId.toLowerCase();
}

/** Field names are identifiers such as `givenName` or `contact.phone`. */
export function checkFieldName(field: unknown): string {
  if (typeof field !== 'string' || !FIELD_NAME.test(field)) {
    throw new PrivacyInputError('Field names must match /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.');
  }
  return field;
}
