import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `audit_pending`: records written with the rows they record, in the writer's transaction,
 * waiting to be chained. The chain's append lock is then taken only by the chainer (AuditLog),
 * after the writer's commit and for a whole batch, instead of by every writer until its commit:
 * writes no longer queue behind one another's WAL flush. The chainer moves each record into
 * audit_record (next seq, prev_hash, hash) and deletes it from here in one transaction.
 *
 * `entry` orders the records of one chaining pass (insert order; a record committed later than
 * one chained already is chained in a later pass).
 */
export class CreateAuditPending1796601600000 implements MigrationInterface {
  name = 'CreateAuditPending1796601600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_pending (
        entry bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        occurred_at timestamptz(3) NOT NULL,
        service text NOT NULL,
        node text NOT NULL,
        actor_subject text NULL,
        actor_client_id text NULL,
        actor_partner_id text NULL,
        action text NOT NULL,
        object_type text NOT NULL,
        object_id text NULL,
        purpose text NULL,
        outcome text NOT NULL CHECK (outcome IN ('success', 'denied', 'error')),
        request_id text NULL,
        traceparent text NULL,
        CONSTRAINT audit_pending_success_has_purpose CHECK (outcome <> 'success' OR purpose IS NOT NULL)
      )`);
    await q.query(`
      COMMENT ON TABLE audit_pending IS
        'Audit records committed with the rows they record and not yet chained into audit_record (normally for milliseconds). Written and emptied only by @puente/audit AuditLog'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_pending`);
  }
}
