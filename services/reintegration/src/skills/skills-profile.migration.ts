import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Skills profiles: one row per person, the whole profile (languages, occupations, certificates,
 * work history, education, work area) as one ciphertext under the person's data key, so erasure
 * (shredding that key) makes every copy unreadable. Only the person id and bookkeeping are clear.
 */
export class CreateSkillsProfiles1798000001000 implements MigrationInterface {
  name = 'CreateSkillsProfiles1798000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE skills_profile (
        person_id uuid PRIMARY KEY,
        profile_enc text NOT NULL,
        version integer NOT NULL DEFAULT 1 CHECK (version > 0),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_by_client text NOT NULL,
        updated_by_partner text NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE skills_profile`);
  }
}
