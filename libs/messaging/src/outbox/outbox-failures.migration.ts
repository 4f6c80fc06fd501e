import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rows Kafka refuses for good (too large, malformed, invalid topic) are set aside with
 * `failed_at` and the reason instead of holding back every row after them. They are kept (never
 * pruned) until an operator fixes the cause and clears `failed_at` (see docs/messaging.md).
 */
export class OutboxFailures1764230400002 implements MigrationInterface {
  name = 'OutboxFailures1764230400002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_message ADD COLUMN failed_at timestamptz NULL, ADD COLUMN last_error text NULL`);
    await q.query(`DROP INDEX outbox_message_unpublished`);
    await q.query(`CREATE INDEX outbox_message_unpublished ON outbox_message (id) WHERE published_at IS NULL AND failed_at IS NULL`);
    await q.query(`CREATE INDEX outbox_message_failed ON outbox_message (id) WHERE failed_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_message_failed`);
    await q.query(`DROP INDEX outbox_message_unpublished`);
    await q.query(`CREATE INDEX outbox_message_unpublished ON outbox_message (id) WHERE published_at IS NULL`);
    await q.query(`ALTER TABLE outbox_message DROP COLUMN failed_at, DROP COLUMN last_error`);
  }
}
