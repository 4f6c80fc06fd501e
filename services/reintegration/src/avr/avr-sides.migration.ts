import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Packages across nodes: a package requested here and paid out at its origin node (`host`), one
 * requested at another node and paid out here (`origin`), or requested and paid here (`local`);
 * `peer_node` is the other side.
 */
export class AddAvrSides1798000004100 implements MigrationInterface {
  name = 'AddAvrSides1798000004100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE avr_package ADD COLUMN side text NOT NULL DEFAULT 'local' CHECK (side IN ('local', 'host', 'origin')), ADD COLUMN peer_node text`);
    await q.query(`ALTER TABLE avr_package ADD CONSTRAINT avr_package_peer CHECK ((side = 'local') = (peer_node IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE avr_package DROP COLUMN peer_node, DROP COLUMN side`);
  }
}
