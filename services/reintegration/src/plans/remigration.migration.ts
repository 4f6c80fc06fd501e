import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Re-migration flags: a member of an active or completed plan registered again at an MRC (intake's
 * PossibleDuplicateFound, here or from another node's match keys). One row per plan, person and
 * duplicate record; ids and a node code only.
 */
export class CreateRemigrationFlags1798000000300 implements MigrationInterface {
  name = 'CreateRemigrationFlags1798000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE plan_remigration (
        plan_id uuid NOT NULL REFERENCES plan (id),
        person_id uuid NOT NULL,
        duplicate_id text NOT NULL,
        seen_at_node text NOT NULL,
        flagged_at timestamptz NOT NULL,
        PRIMARY KEY (plan_id, person_id, duplicate_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plan_remigration`);
  }
}
