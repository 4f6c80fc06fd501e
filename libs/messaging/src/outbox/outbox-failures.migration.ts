import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rows Kafka refuses for good (too large, malformed, invalid topic) are moved here with the
 * reason instead of holding back every row after them. A separate table keeps the relay's query
 * on outbox_message exactly as it was (an ordered scan of its partial index). Rows here are never
 * pruned; an operator moves one back once the cause is fixed (see docs/messaging.md).
 */
export class OutboxFailures1764230400002 implements MigrationInterface {
  name = 'OutboxFailures1764230400002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_message_failed (
        id bigint PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        topic text NOT NULL,
        message_key text NOT NULL,
        event_type text NOT NULL,
        payload bytea NOT NULL,
        headers jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT now(),
        last_error text NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_message_failed`);
  }
}
