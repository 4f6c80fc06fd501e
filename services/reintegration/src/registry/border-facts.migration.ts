import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the border needs of a person (nationality and intake's vulnerability flags, codes only),
 * from intake's PersonRegistered / PersonUpdated: an assisted return toward the node of the
 * person's nationality is refused under the protection block. Emptied on erasure.
 */
export class AddPersonBorderFacts1798000000200 implements MigrationInterface {
  name = 'AddPersonBorderFacts1798000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE person_record ADD COLUMN nationality text, ADD COLUMN vulnerability_flags text[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE person_record DROP COLUMN vulnerability_flags, DROP COLUMN nationality`);
  }
}
