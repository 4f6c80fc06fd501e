import { Module } from '@nestjs/common';
import { ConfigValidationError, ServiceConfig } from '@puente/platform';
import { KeyEncryptionKeyring, KeyringConfigError } from '@puente/privacy';
import { WebhookAddressPolicy, type WebhookAddressSettings, webhookAddressPolicyOf } from '../delivery/webhook-address-policy';
import { DirectoryAdminService } from './directory-admin.service';
import { DirectoryController } from './directory.controller';
import { DirectoryService } from './directory.service';
import { HsdsExportService } from './hsds-export';
import { DirectorySeeder } from './seed/directory-seeder';
import { WebhookSecrets } from './webhook-secrets';

/** The program directory: partners, locations, programs, agreements; admin API, HSDS export and the read API for the rest of the service. */
@Module({
  controllers: [DirectoryController],
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
    {
      // Webhook URLs are checked when a partner registers them (and again by delivery, on every call).
      // Without the delivery settings (WEBHOOK_ALLOW_*), the strict defaults: https, external hosts.
      provide: WebhookAddressPolicy,
      inject: [ServiceConfig],
      useFactory: (config: ServiceConfig) => webhookAddressPolicyOf(config as ServiceConfig & WebhookAddressSettings),
    },
    WebhookSecrets,
    DirectoryService,
    DirectoryAdminService,
    HsdsExportService,
    DirectorySeeder,
  ],
  exports: [DirectoryService, WebhookSecrets],
})
export class DirectoryModule {}
