import { Module } from '@nestjs/common';
import { ConfigValidationError, ServiceConfig } from '@puente/platform';
import { KeyEncryptionKeyring, KeyringConfigError } from '@puente/privacy';
import { DirectoryService } from './directory.service';
import { WebhookSecrets } from './webhook-secrets';

/** The program directory: partners, locations, programs, agreements (read API for the rest of the service). */
@Module({
  providers: [
    {
      // The node's key-encryption keys (PUENTE_KEKS), here for sealing partners' webhook secrets.
      provide: KeyEncryptionKeyring,
      inject: [ServiceConfig],
      useFactory: (config: ServiceConfig) => {
        try {
          return KeyEncryptionKeyring.fromEnv({ ...process.env, NODE_ENV: config.NODE_ENV });
        } catch (error) {
          if (error instanceof KeyringConfigError) throw new ConfigValidationError(config.serviceName, [{ variable: 'PUENTE_KEKS', messages: [error.message] }]);
          throw error;
        }
      },
    },
    WebhookSecrets,
    DirectoryService,
  ],
  exports: [DirectoryService, WebhookSecrets],
})
export class DirectoryModule {}
