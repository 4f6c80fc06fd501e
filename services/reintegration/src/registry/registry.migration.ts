import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The local read model of intake's events reintegration needs (data minimization): the
 * reintegration_support consents of each case and person, the persons' age band and sex (a
 * minor's school task, women's specific needs) and whether they were erased.
 */
export class CreateRegistry1798000000000 implements MigrationInterface {
  name = 'CreateRegistry1798000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reintegration_consent (
        consent_id text PRIMARY KEY,
        case_id uuid NOT NULL,
        person_id uuid,
        valid_from timestamptz,
        valid_until timestamptz,
        recorded_at timestamptz,
        withdrawn_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX reintegration_consent_by_case ON reintegration_consent (case_id)`);
    await q.query(`
      CREATE TABLE person_record (
        person_id uuid PRIMARY KEY,
        age_band text,
        sex text,
        erased_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`
      CREATE TABLE case_member (
        case_id uuid NOT NULL,
        person_id uuid NOT NULL,
        PRIMARY KEY (case_id, person_id)
      )`);
    await q.query(`CREATE INDEX case_member_by_person ON case_member (person_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE case_member`);
    await q.query(`DROP TABLE person_record`);
    await q.query(`DROP TABLE reintegration_consent`);
  }
}
