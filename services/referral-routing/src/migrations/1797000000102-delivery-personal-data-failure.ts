import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A webhook attempt may also fail before any call to the partner: the personal data its agreement
 * and the person's consents allow could not be fetched from intake (`personal_data_unavailable`).
 */
export class DeliveryPersonalDataFailure1797000000102 implements MigrationInterface {
  name = 'DeliveryPersonalDataFailure1797000000102';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE referral_delivery DROP CONSTRAINT referral_delivery_last_failure_check`);
    await q.query(
      `ALTER TABLE referral_delivery ADD CONSTRAINT referral_delivery_last_failure_check
         CHECK (last_failure IN ('timeout', 'http_status', 'connection', 'address_refused', 'personal_data_unavailable'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE referral_delivery DROP CONSTRAINT referral_delivery_last_failure_check`);
    await q.query(`ALTER TABLE referral_delivery ADD CONSTRAINT referral_delivery_last_failure_check CHECK (last_failure IN ('timeout', 'http_status', 'connection', 'address_refused'))`);
  }
}
