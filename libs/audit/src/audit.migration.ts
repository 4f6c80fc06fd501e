import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Key of the transaction-scoped advisory lock that serializes appends to the chain
 * (the platform's migration lock is 7_370_926_001).
 */
export const AUDIT_LOCK_KEY = 7_370_926_002;

/**
 * `audit_record` plus:
 * - `audit_chain_head()`: takes the append lock (pg_advisory_xact_lock, held until the caller's
 *   transaction ends) and then reads the last (seq, hash). Being a VOLATILE PL/pgSQL function,
 *   its SELECT runs on a snapshot taken after the lock was granted, so under READ COMMITTED it
 *   sees the head committed by the previous lock holder. One round trip instead of two.
 * - a trigger rejecting UPDATE, DELETE and TRUNCATE (append-only in the database too).
 */
export class CreateAuditRecord1765497600000 implements MigrationInterface {
  name = 'CreateAuditRecord1765497600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_record (
        seq bigint PRIMARY KEY CHECK (seq > 0),
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
        prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
        CONSTRAINT audit_record_success_has_purpose CHECK (outcome <> 'success' OR purpose IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX audit_record_object ON audit_record (object_type, object_id, seq)`);
    await q.query(`
      COMMENT ON TABLE audit_record IS
        'Append-only, hash-chained audit log of reads and changes of personal data (ids only, no personal data). Written only by @puente/audit AuditLog.append; verify with: npm run audit -- verify --service <service>'`);
    await q.query(`
      CREATE FUNCTION audit_chain_head(OUT seq bigint, OUT hash text) LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(${AUDIT_LOCK_KEY});
        SELECT r.seq, r.hash INTO seq, hash FROM audit_record r ORDER BY r.seq DESC LIMIT 1;
      END $$`);
    await q.query(`
      CREATE FUNCTION audit_record_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_record is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record
      FOR EACH ROW EXECUTE FUNCTION audit_record_reject_change()`);
    await q.query(`
      CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
      FOR EACH STATEMENT EXECUTE FUNCTION audit_record_reject_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_record`);
    await q.query(`DROP FUNCTION audit_record_reject_change()`);
    await q.query(`DROP FUNCTION audit_chain_head()`);
  }
}
