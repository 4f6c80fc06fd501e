import { type DynamicModule, Module } from '@nestjs/common';
import { AccessDenials, ServiceConfig } from '@puente/platform';
import { DataSource } from 'typeorm';
import { AuditLog } from '../audit-log';
import { AuditInterceptor } from './audit.interceptor';
import { AuditedRouteDenials } from './audited-route-denials';

export interface AuditModuleOptions {
  /** Allowed purposes (default AUDIT_PURPOSES). */
  purposes?: readonly string[];
}

@Module({})
export class AuditModule {
  /**
   * Global module providing AuditLog (on the service's DataSource, stamped with its service name
   * and node), the interceptor behind @Audited() and the AccessDenials the auth guard tells of
   * scope refusals on audited routes. The service must also list `auditEntities`
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
        { provide: AccessDenials, useClass: AuditedRouteDenials },
      ],
      exports: [AuditLog, AuditInterceptor, AccessDenials],
    };
  }
}
