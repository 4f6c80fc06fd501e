import { type AuditLog, type Caller } from '@puente/audit';
import type { EntityManager } from 'typeorm';

/**
 * Puts on the record that these persons' birth dates were decrypted (never returned) to tell
 * children from adults, in the transaction of the change that needed it.
 */
export async function auditAgeDerivation(audit: AuditLog, tx: EntityManager, caller: Caller, personIds: readonly string[], now: Date): Promise<void> {
  for (const personId of personIds) {
    await audit.append(tx, {
      actor: caller.auditActor,
      requestId: caller.requestId,
      traceparent: caller.traceparent,
      action: 'person.derive-age',
      objectType: 'person',
      objectId: personId,
      purpose: 'case-management',
      occurredAt: now,
    });
  }
}
