import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Assisted voluntary return packages and their stages (travel, grant instalments, in-kind support). */
export class CreateAvrPackages1798000004000 implements MigrationInterface {
  name = 'CreateAvrPackages1798000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE avr_package (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        person_id uuid NOT NULL,
        host_node text NOT NULL,
        origin_node text NOT NULL,
        status text NOT NULL CHECK (status IN ('requested', 'in_progress', 'completed', 'cancelled')),
        cancel_reason text,
        jurisdiction text NOT NULL,
        requested_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX avr_package_by_case ON avr_package (case_id)`);
    await q.query(`
      CREATE TABLE avr_stage (
        id uuid PRIMARY KEY,
        package_id uuid NOT NULL REFERENCES avr_package (id),
        sequence integer NOT NULL,
        kind text NOT NULL CHECK (kind IN ('travel', 'reintegration_grant', 'in_kind')),
        amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
        currency text NOT NULL,
        planned_on date NOT NULL,
        status text NOT NULL CHECK (status IN ('planned', 'disbursed', 'acknowledged')),
        disbursed_at timestamptz,
        acknowledged_at timestamptz,
        UNIQUE (package_id, sequence)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE avr_stage`);
    await q.query(`DROP TABLE avr_package`);
  }
}
