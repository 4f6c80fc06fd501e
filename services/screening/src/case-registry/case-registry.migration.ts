import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The local read model of cases and screening consents, built from intake's events. Holds only
 * what screening needs (data minimization): where the case is, whether it is open or erased,
 * and when screening consents are valid.
 */
export class CreateCaseRegistry1796000000001 implements MigrationInterface {
  name = 'CreateCaseRegistry1796000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE case_record (
        case_id uuid PRIMARY KEY,
        reference text NOT NULL,
        site_code text NOT NULL,
        custody_node text NOT NULL,
        opened_at timestamptz,
        closed_at timestamptz,
        close_reason text,
        erased_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`
      CREATE TABLE case_consent (
        consent_id text PRIMARY KEY,
        case_id uuid NOT NULL,
        valid_from timestamptz,
        valid_until timestamptz,
        recorded_at timestamptz,
        withdrawn_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX case_consent_by_case ON case_consent (case_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE case_consent`);
    await q.query(`DROP TABLE case_record`);
  }
}
