import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery ledger: one row per person per delivery of their data to another node or a
 * partner (which receiver, through which channel, which fields, when). Retraction notices go to
 * every receiver it lists. Ids, codes and field names only.
 */
export class CreateDeliveryLedger1767052800100 implements MigrationInterface {
  name = 'CreateDeliveryLedger1767052800100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE delivery_ledger (
        id bigserial PRIMARY KEY,
        receiver_type text NOT NULL CHECK (receiver_type IN ('node', 'partner')),
        receiver text NOT NULL CHECK (length(receiver) BETWEEN 2 AND 64),
        channel text NOT NULL CHECK (length(channel) BETWEEN 1 AND 64),
        envelope_id uuid,
        case_id uuid,
        person_id uuid NOT NULL,
        fields text[] NOT NULL,
        delivered_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CHECK (receiver_type <> 'node' OR receiver ~ '^[A-Z]{2}$')
      )`);
    await q.query(`CREATE INDEX delivery_ledger_by_person ON delivery_ledger (person_id, receiver_type, receiver)`);
    await q.query(`CREATE INDEX delivery_ledger_by_case ON delivery_ledger (case_id) WHERE case_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX delivery_ledger_once_per_envelope ON delivery_ledger (envelope_id, person_id) WHERE envelope_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE delivery_ledger`);
  }
}
