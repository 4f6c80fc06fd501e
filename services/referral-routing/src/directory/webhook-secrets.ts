import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataKey, FieldCipher, KeyEncryptionKeyring } from '@puente/privacy';

/** A webhook signing secret as stored: envelope-encrypted under the node's key-encryption key. */
export interface SealedSecret {
  secretId: string;
  kekId: string;
  wrappedKey: Buffer;
  ciphertext: string;
}

const FIELD = 'webhook_secret';

/**
 * Seals partners' webhook signing secrets with the same envelope encryption as personal data
 * (libs/privacy: a data key per secret, wrapped by the node KEK, AES-256-GCM bound to the secret
 * id), so a database dump alone does not let anyone forge webhooks. The API never returns them.
 */
@Injectable()
export class WebhookSecrets {
  constructor(private readonly keyring: KeyEncryptionKeyring) {}

  seal(secret: string): SealedSecret {
    const secretId = randomUUID();
    const key = DataKey.generate();
    const { kekId, wrappedKey } = this.keyring.wrap(secretId, key);
    return { secretId, kekId, wrappedKey: Buffer.from(wrappedKey), ciphertext: FieldCipher.encrypt(key, { personId: secretId, field: FIELD }, secret) };
  }

  open(sealed: SealedSecret): string {
    const key = this.keyring.unwrap(sealed.secretId, sealed.kekId, sealed.wrappedKey);
    return FieldCipher.decrypt(key, { personId: sealed.secretId, field: FIELD }, sealed.ciphertext);
  }
}
