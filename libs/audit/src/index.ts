export {
  GENESIS_HASH,
  AUDIT_OUTCOMES,
  type AuditOutcome,
  type AuditRecordJson,
  type UnhashedAuditRecord,
  AUDIT_HASHED_FIELDS,
  AUDIT_RECORD_FIELDS,
  CanonicalEncodingError,
  canonicalAuditJson,
  auditRecordHash,
  auditRecordLine,
  canonicalTimestamp,
} from './canonical';
export { AuditRecord } from './audit-record.entity';
export { CreateAuditRecord1765497600000, AUDIT_LOCK_KEY } from './audit.migration';
export {
  AuditLog,
  type AuditLogOptions,
  type AuditEntry,
  type AuditActor,
  AuditEntryError,
  AUDIT_PURPOSES,
  type AuditPurpose,
  ACTION_PATTERN,
  OBJECT_TYPE_PATTERN,
  OBJECT_ID_PATTERN,
  ACTOR_FIELD_PATTERN,
} from './audit-log';
export { type SqlQueryable } from './sql';
export {
  verifyChain,
  verifyExport,
  parseChainHead,
  formatChainHead,
  type ChainHead,
  type ChainBreakReason,
  type ChainVerification,
  type VerifyOptions,
  type VerifyExportOptions,
} from './verify';
export { exportChain, type ExportOptions, type ExportResult } from './export';
export { AuditModule, type AuditModuleOptions } from './nest/audit.module';
export { Audited, type AuditedOptions, createdObjectId } from './nest/audited.decorator';
export { AuditInterceptor, outcomeOfError, statusOfError } from './nest/audit.interceptor';
export { AuditedRouteDenials } from './nest/audited-route-denials';
export { auditActorOf, auditContextOf, type AuditableRequest } from './nest/request-audit-context';
export { type Caller, callerOf, CurrentCaller } from './nest/caller';
export { AUDITED_METADATA, PURPOSE_HEADER, PURPOSE_REQUIRED_PROBLEM } from './nest/constants';

import { AuditRecord } from './audit-record.entity';
import { CreateAuditRecord1765497600000 } from './audit.migration';

/** Add to PlatformModule.forRoot({ entities }) of every service that audits. */
export const auditEntities = [AuditRecord] as const;
/** Add to PlatformModule.forRoot({ migrations }) of every service that audits. */
export const auditMigrations = [CreateAuditRecord1765497600000] as const;
