import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Failed webhook deliveries, counted on every /metrics scrape and listed by operators, by a partial index. */
export class IndexFailedDeliveries1797000000101 implements MigrationInterface {
  name = 'IndexFailedDeliveries1797000000101';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX referral_delivery_failed ON referral_delivery (failed_at) WHERE status = 'failed'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX referral_delivery_failed`);
  }
}
