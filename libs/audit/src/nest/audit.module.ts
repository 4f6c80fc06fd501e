import { type DynamicModule, Module } from '@nestjs/common';
import { ServiceConfig } from '@puente/platform';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit-log';
import { AuditInterceptor } from './audit.interceptor';

export interface AuditModuleOptions {
  /** Allowed purposes (default AUDIT_PURPOSES). */
  purposes?: readonly string[];
}

@Module({})
export class AuditModule {
  /**
   * Global module providing AuditLog (on the service's DataSource, stamped with its service name
   * and node) and the interceptor behind @Audited(). The service must also list `auditEntities`
   * and `auditMigrations` in PlatformModule.forRoot().
   */
  static forRoot(options: AuditModuleOptions = {}): DynamicModule {
    return {
      module: AuditModule,
      global: true,
      providers: [
        {
          provide: AuditLog,
          inject: [DataSource, ServiceConfig],
          useFactory: (dataSource: DataSource, config: ServiceConfig) =>
            new AuditLog(dataSource, { service: config.serviceName, node: config.PUENTE_NODE, purposes: options.purposes }),
        },
        AuditInterceptor,
      ],
      exports: [AuditLog, AuditInterceptor],
    };
  }
}
