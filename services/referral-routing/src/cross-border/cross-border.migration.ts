import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The other side of a cross-border referral. At the origin (`outbound`): the node hosting the
 * program and the case fields that crossed. At the host (`inbound`): the origin node and the case
 * as it arrived, already minimized at the border (routing here has no case of its own for it).
 */
export class CreateCrossBorderReferrals1797000000300 implements MigrationInterface {
  name = 'CreateCrossBorderReferrals1797000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cross_border_referral (
        referral_id uuid PRIMARY KEY REFERENCES referral (id),
        direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
        peer_node char(2) NOT NULL CHECK (peer_node ~ '^[A-Z]{2}$'),
        fields text[] NOT NULL,
        case_view jsonb CHECK ((direction = 'inbound') = (case_view IS NOT NULL)),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cross_border_referral`);
  }
}
