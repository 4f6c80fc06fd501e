import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The coded interview (one per arrival): the desk that held it, the concern codes it raised and
 * the protection concern row they opened, next to the answers (codes only).
 */
export class InterviewConcerns1797000000010 implements MigrationInterface {
  name = 'InterviewConcerns1797000000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE interview ADD COLUMN desk text NOT NULL DEFAULT '', ADD COLUMN concerns_raised text[] NOT NULL DEFAULT '{}', ADD COLUMN protection_concern_id uuid NULL REFERENCES protection_concern (id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interview DROP COLUMN protection_concern_id, DROP COLUMN concerns_raised, DROP COLUMN desk`);
  }
}
