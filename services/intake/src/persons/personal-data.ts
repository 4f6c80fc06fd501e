import type { DecryptedPersonalData, PersonVault } from '@puente/privacy';
import type { EntityManager } from 'typeorm';
import type { Person } from './person.entity';

export type DocumentType = 'passport' | 'national_id' | 'birth_certificate' | 'consular_id' | 'refugee_id' | 'travel_document' | 'other';
export const DOCUMENT_TYPES: readonly DocumentType[] = ['passport', 'national_id', 'birth_certificate', 'consular_id', 'refugee_id', 'travel_document', 'other'];
export type VerificationState = 'unverified' | 'verified_original' | 'verified_copy' | 'verified_database' | 'disputed';
export const VERIFICATION_STATES: readonly VerificationState[] = ['unverified', 'verified_original', 'verified_copy', 'verified_database', 'disputed'];

export interface Transliteration {
  givenNames: string;
  familyNames: string | null;
}

export interface Language {
  code: string;
  primary: boolean;
  interpreterNeeded: boolean;
}

export interface Contact {
  phone: string | null;
  whatsapp: string | null;
  email: string | null;
  address: string | null;
}

export interface IdentityDocument {
  type: DocumentType;
  number: string;
  issuingCountry: string;
  expiresOn: string | null;
  verification: VerificationState;
}

/** Everything identifying about a person: stored only encrypted, one ciphertext per field. */
export interface PersonalData {
  givenNames: string;
  familyNames: string | null;
  transliteration: Transliteration | null;
  birthDate: string;
  birthDateEstimated: boolean;
  otherCitizenships: string[];
  languages: Language[];
  contact: Contact | null;
  documents: IdentityDocument[];
}

/** The encrypted fields, by vault field name (also the AAD context of each ciphertext). */
export interface PlainFields {
  givenNames: string;
  familyNames: string | null;
  transliteration: string | null;
  birthDate: string;
  otherCitizenships: string | null;
  languages: string | null;
  contact: string | null;
  documents: string | null;
}

export const ENCRYPTED_FIELDS = ['givenNames', 'familyNames', 'transliteration', 'birthDate', 'otherCitizenships', 'languages', 'contact', 'documents'] as const;
export type EncryptedField = (typeof ENCRYPTED_FIELDS)[number];

/** Entity property holding each field's ciphertext. */
export const COLUMN_OF: Readonly<Record<EncryptedField, keyof Person>> = {
  givenNames: 'givenNamesEnc',
  familyNames: 'familyNamesEnc',
  transliteration: 'transliterationEnc',
  birthDate: 'birthDateEnc',
  otherCitizenships: 'otherCitizenshipsEnc',
  languages: 'languagesEnc',
  contact: 'contactEnc',
  documents: 'documentsEnc',
};

const jsonOrNull = (value: unknown, empty: (v: never) => boolean) => (value === null || value === undefined || empty(value as never) ? null : JSON.stringify(value));

/** Personal data → the strings to encrypt (empty lists and absent objects become null). */
export function toPlainFields(data: PersonalData): PlainFields {
  return {
    givenNames: data.givenNames,
    familyNames: data.familyNames,
    transliteration: jsonOrNull(data.transliteration, () => false),
    birthDate: JSON.stringify({ date: data.birthDate, estimated: data.birthDateEstimated }),
    otherCitizenships: jsonOrNull(data.otherCitizenships, (v: string[]) => v.length === 0),
    languages: jsonOrNull(data.languages, (v: Language[]) => v.length === 0),
    contact: jsonOrNull(data.contact, () => false),
    documents: jsonOrNull(data.documents, (v: IdentityDocument[]) => v.length === 0),
  };
}

export function fromPlainFields(fields: PlainFields): PersonalData {
  const birth = JSON.parse(fields.birthDate) as { date: string; estimated: boolean };
  return {
    givenNames: fields.givenNames,
    familyNames: fields.familyNames,
    transliteration: fields.transliteration ? (JSON.parse(fields.transliteration) as Transliteration) : null,
    birthDate: birth.date,
    birthDateEstimated: birth.estimated,
    otherCitizenships: fields.otherCitizenships ? (JSON.parse(fields.otherCitizenships) as string[]) : [],
    languages: fields.languages ? (JSON.parse(fields.languages) as Language[]) : [],
    contact: fields.contact ? (JSON.parse(fields.contact) as Contact) : null,
    documents: fields.documents ? (JSON.parse(fields.documents) as IdentityDocument[]) : [],
  };
}

/** The ciphertext columns of a row, by field name. */
export function ciphertextsOf(person: Person): Record<EncryptedField, string | null> {
  return Object.fromEntries(ENCRYPTED_FIELDS.map((f) => [f, person[COLUMN_OF[f]] as string | null])) as Record<EncryptedField, string | null>;
}

export type EncryptedColumns = Pick<
  Person,
  'givenNamesEnc' | 'familyNamesEnc' | 'transliterationEnc' | 'birthDateEnc' | 'otherCitizenshipsEnc' | 'languagesEnc' | 'contactEnc' | 'documentsEnc'
>;

/** Encrypts personal data for `personId` (creating its data key in `tx`) into entity columns. */
export async function encryptPersonalData(vault: PersonVault, personId: string, data: PersonalData, tx: EntityManager): Promise<EncryptedColumns> {
  return encryptedColumns(await vault.encryptFields(personId, toPlainFields(data), tx));
}

/** Ciphertexts by field name → entity columns. */
export function encryptedColumns(encrypted: Record<EncryptedField, string | null>): EncryptedColumns {
  return Object.fromEntries(ENCRYPTED_FIELDS.map((f) => [COLUMN_OF[f], encrypted[f]])) as unknown as EncryptedColumns;
}

/** Decrypts a person's row; ErasedPersonalData once the person was crypto-shredded. */
export async function decryptPersonalData(vault: PersonVault, person: Person, tx?: EntityManager): Promise<PersonalData | { erased: true; erasedAt: Date }> {
  const result = await vault.decryptFields(person.id, ciphertextsOf(person), tx);
  if (result.erased) return { erased: true, erasedAt: result.erasedAt };
  return fromPlainFields((result as DecryptedPersonalData<PlainFields>).fields as unknown as PlainFields);
}
