import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a node sent across the border (and the receipts it got back) and the envelope ids it
 * received (replay protection). Ids, node codes, kinds and times only.
 */
export class CreateFederationExchange1767052800000 implements MigrationInterface {
  name = 'CreateFederationExchange1767052800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE federation_sent_envelope (
        envelope_id uuid PRIMARY KEY,
        peer text NOT NULL CHECK (peer ~ '^[A-Z]{2}$'),
        kind text NOT NULL,
        subject text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        receipt_outcome text CHECK (receipt_outcome IN ('applied', 'refused')),
        receipt_reason text,
        receipt_at timestamptz
      )`);
    await q.query(`CREATE INDEX federation_sent_envelope_unacknowledged ON federation_sent_envelope (sent_at) WHERE receipt_outcome IS NULL`);
    await q.query(`CREATE INDEX federation_sent_envelope_subject ON federation_sent_envelope (subject, peer)`);
    await q.query(`
      CREATE TABLE federation_received_envelope (
        envelope_id text PRIMARY KEY,
        sender text NOT NULL CHECK (sender ~ '^[A-Z]{2}$'),
        kind text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE federation_received_envelope`);
    await q.query(`DROP TABLE federation_sent_envelope`);
  }
}
