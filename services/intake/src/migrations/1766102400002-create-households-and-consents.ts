import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Households (one per case) with their members' relationships and derived care status; consents. */
export class CreateHouseholdsAndConsents1766102400002 implements MigrationInterface {
  name = 'CreateHouseholdsAndConsents1766102400002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE household (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL UNIQUE REFERENCES intake_case (id),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version int NOT NULL DEFAULT 1
      )`);
    await q.query(`
      CREATE TABLE household_member (
        household_id uuid NOT NULL REFERENCES household (id) ON DELETE CASCADE,
        person_id uuid NOT NULL REFERENCES person (id),
        relationship text NOT NULL,
        care_status text NOT NULL,
        position smallint NOT NULL CHECK (position >= 0),
        added_at timestamptz NOT NULL,
        PRIMARY KEY (household_id, person_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX household_member_one_principal ON household_member (household_id) WHERE relationship = 'principal'`);
    await q.query(`CREATE INDEX household_member_person ON household_member (person_id)`);
    await q.query(`
      CREATE TABLE consent (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES intake_case (id),
        person_id uuid NOT NULL REFERENCES person (id),
        purpose text NOT NULL,
        partner_id text NULL REFERENCES partner_directory_entry (id),
        partner_type text NULL,
        destination_country char(2) NULL,
        method text NOT NULL,
        witnessed_by text NULL,
        guardian_person_id uuid NULL REFERENCES person (id),
        guardian_reference text NULL,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz NULL CHECK (valid_until IS NULL OR valid_until > valid_from),
        recorded_at timestamptz NOT NULL,
        recorded_by text NOT NULL,
        withdrawn_at timestamptz NULL,
        withdrawn_by text NULL,
        version int NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX consent_case_recorded ON consent (case_id, recorded_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE consent');
    await q.query('DROP TABLE household_member');
    await q.query('DROP TABLE household');
  }
}
