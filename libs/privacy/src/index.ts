// Envelope encryption and crypto-shredding of personal data
export {
  PrivacyError,
  PersonErasedError,
  AlreadyErasedError,
  DataKeyNotFoundError,
  IntegrityError,
  CiphertextIntegrityError,
  DataKeyIntegrityError,
  UnknownKeyEncryptionKeyError,
  KeyringConfigError,
  PrivacyInputError,
  type CiphertextFailure,
} from './errors';
export { DataKey, KEY_BYTES } from './crypto/data-key';
export {
  KeyEncryptionKeyring,
  DEV_KEK_ID,
  WRAPPED_KEY_BYTES,
  type KeyEncryptionKeyMaterial,
  type WrappedDataKey,
} from './crypto/key-encryption-keyring';
export { FieldCipher, type FieldContext } from './crypto/field-cipher';
export {
  PersonVault,
  ErasedPersonalData,
  isErased,
  type PersonVaultOptions,
  type DecryptedPersonalData,
  type EncryptedFields,
  type FieldValues,
  type TransformedFields,
  type DataKeyStatus,
  type ShredReceipt,
} from './vault/person-vault';
export { DataKeyCache, type DataKeyCacheOptions } from './vault/data-key-cache';
export { personVaultProviders } from './vault/vault-providers';
export { rewrapAll, dataKeyInventory, type RewrapOptions, type RewrapReport, type DataKeyInventory } from './vault/rewrap';
export { PersonDataKey } from './vault/person-data-key.entity';
export { CreatePersonDataKeys1764230500000 } from './vault/person-data-key.migration';
export { privacyEntities, privacyMigrations } from './schema';

// Keyed match keys for cross-border duplicate detection
export { normalizeName, normalizeBirthDate, normalizeNationality, LATIN_LOOKALIKES } from './match/normalize';
export { spanishSound } from './match/phonetic';
export {
  computeMatchKeys,
  scoreMatch,
  lookupSignals,
  parseAgreementKey,
  isMatchRule,
  signalOf,
  MATCH_RULES,
  MATCH_RULE_WEIGHTS,
  DEFAULT_MATCH_THRESHOLD,
  NEAR_SLOTS,
  isSearchableMatchKey,
  type MatchRule,
  type MatchSignal,
  type MatchKey,
  type MatchScore,
  type ReceivedMatchKey,
  type AgreementKey,
  type MatchIdentity,
  type MatchIdentityByNames,
  type MatchIdentityByParts,
} from './match/match-keys';

// Data minimization
export { minimize, allowedFields, type ConsentedFields, type Minimized } from './minimize/minimize';
export {
  CONSENT_PURPOSE_FIELDS,
  CONSENT_PURPOSE_NAMES,
  type ConsentPurposeName,
  isConsentPurpose,
  fieldsOfPurposes,
  minimizeForPurposes,
  consentPurposeTable,
} from './minimize/purposes';
