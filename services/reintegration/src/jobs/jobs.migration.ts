import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Job openings posted by employer partners, and placements (a caseworker proposes, the person
 * accepts, the employer confirms). Overselling is impossible at the table level: slots_filled
 * never exceeds slots (CHECK), and a confirmation increments it with a conditional UPDATE.
 * `changed_xid` (set by trigger) is the transaction that last wrote a row: the matching index of
 * each instance follows the table by it (see matching/match-feed.ts).
 */
export class CreateJobs1798000002000 implements MigrationInterface {
  name = 'CreateJobs1798000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION stamp_changed_xid() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.changed_xid := pg_current_xact_id();
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TABLE job_opening (
        opening_id uuid PRIMARY KEY,
        employer_partner_id text NOT NULL,
        title text NOT NULL,
        isco_code text NOT NULL CHECK (isco_code ~ '^[0-9]{4}$'),
        location_name text NOT NULL,
        lat double precision CHECK (lat BETWEEN -90 AND 90),
        lon double precision CHECK (lon BETWEEN -180 AND 180),
        required_skills text[] NOT NULL DEFAULT '{}',
        required_languages jsonb NOT NULL DEFAULT '[]',
        slots integer NOT NULL CHECK (slots > 0),
        slots_filled integer NOT NULL DEFAULT 0 CHECK (slots_filled >= 0 AND slots_filled <= slots),
        opens_on date NOT NULL,
        closes_on date CHECK (closes_on IS NULL OR closes_on >= opens_on),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'filled', 'withdrawn')),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        created_by_client text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id()
      )`);
    await q.query(`CREATE INDEX job_opening_changed ON job_opening (changed_xid)`);
    await q.query(`CREATE TRIGGER job_opening_changed BEFORE INSERT OR UPDATE ON job_opening FOR EACH ROW EXECUTE FUNCTION stamp_changed_xid()`);
    await q.query(`
      CREATE TABLE job_placement (
        placement_id uuid PRIMARY KEY,
        opening_id uuid NOT NULL REFERENCES job_opening (opening_id),
        person_id uuid NOT NULL,
        case_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('proposed', 'accepted', 'declined', 'confirmed', 'withdrawn')),
        score numeric(5, 4) NOT NULL,
        proposed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        proposed_by_client text NOT NULL,
        proposed_by_partner text NOT NULL,
        accepted_at timestamptz,
        declined_at timestamptz,
        confirmed_at timestamptz,
        confirmed_by_client text,
        withdrawn_at timestamptz,
        withdrawn_reason text,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    // One live proposal per person and opening (a declined or withdrawn one may be proposed again).
    await q.query(`CREATE UNIQUE INDEX job_placement_live ON job_placement (opening_id, person_id) WHERE status IN ('proposed', 'accepted', 'confirmed')`);
    await q.query(`CREATE INDEX job_placement_by_person ON job_placement (person_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_placement`);
    await q.query(`DROP TABLE job_opening`);
    await q.query(`DROP FUNCTION stamp_changed_xid()`);
  }
}
