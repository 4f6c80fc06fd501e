import { createHash } from 'node:crypto';
import type { Provider } from '@nestjs/common';
import { ConfigValidationError } from '@puente/platform';
import { type AgreementKey, parseAgreementKey, personVaultProviders } from '@puente/privacy';
import { IntakeConfig } from '../config/intake.config';

/** Injection token of the match-key agreement keys (AgreementKey[]). */
export const AGREEMENT_KEYS = 'intake:AGREEMENT_KEYS';

/** Kid of the development-only agreement key (public, refused in production). */
export const DEV_AGREEMENT_KID = 'dev-agreement-0';

/** The development agreement key: SHA-256 of a public sentence, the same on every clone. */
export function developmentAgreementKey(): AgreementKey {
  const secret = createHash('sha256').update('puente development-only match-key agreement; public, protects nothing').digest();
  return { kid: DEV_AGREEMENT_KID, secret };
}

/** Agreement keys from MATCH_AGREEMENT_KEYS; the dev key outside production when unset. */
export function agreementKeysFrom(config: Pick<IntakeConfig, 'MATCH_AGREEMENT_KEYS' | 'NODE_ENV' | 'serviceName'>): AgreementKey[] {
  const spec = config.MATCH_AGREEMENT_KEYS?.trim();
  if (!spec) {
    if (config.NODE_ENV === 'production') {
      throw new ConfigValidationError(config.serviceName, [
        { variable: 'MATCH_AGREEMENT_KEYS', messages: ['MATCH_AGREEMENT_KEYS is required when NODE_ENV=production'] },
      ]);
    }
    return [developmentAgreementKey()];
  }
  const keys = spec.split(',').map((entry) => parseAgreementKey(entry.trim()));
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) {
    throw new ConfigValidationError(config.serviceName, [{ variable: 'MATCH_AGREEMENT_KEYS', messages: ['MATCH_AGREEMENT_KEYS lists a kid twice'] }]);
  }
  if (config.NODE_ENV === 'production' && keys.some((k) => k.kid === DEV_AGREEMENT_KID)) {
    throw new ConfigValidationError(config.serviceName, [
      { variable: 'MATCH_AGREEMENT_KEYS', messages: ['the development agreement key cannot be used when NODE_ENV=production'] },
    ]);
  }
  return keys;
}

/** PersonVault on the service's database with the node's KEKs (PUENTE_KEKS), and the agreement keys. */
export const privacyProviders: Provider[] = [
  ...personVaultProviders(IntakeConfig, ConfigValidationError),
  { provide: AGREEMENT_KEYS, inject: [IntakeConfig], useFactory: (config: IntakeConfig) => agreementKeysFrom(config) },
];
