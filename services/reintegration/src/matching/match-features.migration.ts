import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The match features of a person: what the scorer reads, kept apart from the encrypted profile so
 * that ranking 100,000 persons needs no decryption. Pseudonymous (a person id), closed codes only
 * (ISCO-08 unit groups, ISO 639 codes with a CEFR level, a work area rounded to 0.05°): no name,
 * document, certificate title, employer or free text. Why this is acceptable, and its limits:
 * docs/reintegration.md. A row is emptied (`active` false, no codes) when the person is erased or
 * has no reintegration_support consent in force left; `changed_xid` lets each instance's index
 * follow the table.
 */
export class CreateMatchFeatures1798000003000 implements MigrationInterface {
  name = 'CreateMatchFeatures1798000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE match_profile (
        person_id uuid PRIMARY KEY,
        active boolean NOT NULL,
        occupations text[] NOT NULL DEFAULT '{}',
        languages text[] NOT NULL DEFAULT '{}',
        area_lat double precision CHECK (area_lat BETWEEN -90 AND 90),
        area_lon double precision CHECK (area_lon BETWEEN -180 AND 180),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        CHECK (active OR (occupations = '{}' AND languages = '{}' AND area_lat IS NULL AND area_lon IS NULL))
      )`);
    await q.query(`CREATE INDEX match_profile_changed ON match_profile (changed_xid)`);
    await q.query(`CREATE TRIGGER match_profile_changed BEFORE INSERT OR UPDATE ON match_profile FOR EACH ROW EXECUTE FUNCTION stamp_changed_xid()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE match_profile`);
  }
}
