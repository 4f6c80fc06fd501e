import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AuditOutcome } from './canonical';

/**
 * One row of the append-only, hash-chained audit log (read model only).
 *
 * Never write through a repository: `AuditLog.append()` is the only writer, because it
 * serializes appends and computes `seq`, `prev_hash` and `hash`. UPDATE, DELETE and TRUNCATE
 * are rejected by a trigger. Holds identifiers only, never personal data values.
 */
@Entity({ name: 'audit_record' })
@Index('audit_record_object', ['objectType', 'objectId', 'seq'])
export class AuditRecord {
  /** Position in the chain, 1..n without gaps (bigint, read as a string). */
  @PrimaryColumn({ type: 'bigint' })
  seq: string;

  @Column({ type: 'uuid', unique: true })
  id: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', precision: 3 })
  occurredAt: Date;

  @Column({ type: 'text' })
  service: string;

  /** ISO 3166-1 alpha-2 code of the node that wrote the record. */
  @Column({ type: 'text' })
  node: string;

  @Column({ name: 'actor_subject', type: 'text', nullable: true })
  actorSubject: string | null;

  @Column({ name: 'actor_client_id', type: 'text', nullable: true })
  actorClientId: string | null;

  @Column({ name: 'actor_partner_id', type: 'text', nullable: true })
  actorPartnerId: string | null;

  /** `person.read`, `person.update`, `person.erase`, `case.read`, ... */
  @Column({ type: 'text' })
  action: string;

  @Column({ name: 'object_type', type: 'text' })
  objectType: string;

  @Column({ name: 'object_id', type: 'text', nullable: true })
  objectId: string | null;

  /** `screening`, `referral`, `case-management`, `erasure`, ...; null only for a refused request without a valid purpose. */
  @Column({ type: 'text', nullable: true })
  purpose: string | null;

  @Column({ type: 'text' })
  outcome: AuditOutcome;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ type: 'text', nullable: true })
  traceparent: string | null;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash: string;

  @Column({ type: 'text' })
  hash: string;
}
