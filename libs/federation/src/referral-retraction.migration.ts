import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retraction notices for cross-border referrals get their own route (`referral-retraction`):
 * they travel on the referral topic to the receiving node's referral routing, which holds the copy.
 */
export class AllowReferralRetractionRoute1767052800400 implements MigrationInterface {
  name = 'AllowReferralRetractionRoute1767052800400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE retraction_notice DROP CONSTRAINT retraction_notice_route_check`);
    await q.query(`ALTER TABLE retraction_notice ADD CONSTRAINT retraction_notice_route_check CHECK (route IN ('match-keys-retraction', 'referral-retraction', 'retraction', 'partner'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE retraction_notice DROP CONSTRAINT retraction_notice_route_check`);
    await q.query(`ALTER TABLE retraction_notice ADD CONSTRAINT retraction_notice_route_check CHECK (route IN ('match-keys-retraction', 'retraction', 'partner'))`);
  }
}
