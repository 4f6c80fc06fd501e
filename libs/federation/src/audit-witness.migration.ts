import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Audit chain heads peers sent this node to witness (see audit-witness.ts). Codes, numbers and hashes only. */
export class CreateAuditWitness1767052800300 implements MigrationInterface {
  name = 'CreateAuditWitness1767052800300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_witness_checkpoint (
        envelope_id text PRIMARY KEY,
        node text NOT NULL CHECK (node ~ '^[A-Z]{2}$'),
        service text NOT NULL,
        seq bigint NOT NULL CHECK (seq > 0),
        hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
        taken_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_witness_checkpoint_newest ON audit_witness_checkpoint (node, service, seq DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_witness_checkpoint`);
  }
}
