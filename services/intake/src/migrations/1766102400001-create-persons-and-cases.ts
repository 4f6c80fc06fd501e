import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Persons (identity encrypted field by field: `*_enc` columns hold `pv1.` ciphertexts under the
 * person's data key; only minimized attributes are in clear), cases and their members. Case
 * numbers come from per-node-per-year sequences created on first use (see CaseReferences).
 */
export class CreatePersonsAndCases1766102400001 implements MigrationInterface {
  name = 'CreatePersonsAndCases1766102400001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE person (
        id uuid PRIMARY KEY,
        site_code text NOT NULL REFERENCES site (code),
        sex text NOT NULL,
        nationality char(2) NOT NULL,
        age_band text NOT NULL,
        vulnerability_flags text[] NOT NULL DEFAULT '{}',
        interpreter_needed boolean NOT NULL DEFAULT false,
        given_names_enc text NOT NULL CHECK (given_names_enc LIKE 'pv1.%'),
        family_names_enc text NULL CHECK (family_names_enc LIKE 'pv1.%'),
        transliteration_enc text NULL CHECK (transliteration_enc LIKE 'pv1.%'),
        birth_date_enc text NOT NULL CHECK (birth_date_enc LIKE 'pv1.%'),
        other_citizenships_enc text NULL CHECK (other_citizenships_enc LIKE 'pv1.%'),
        languages_enc text NULL CHECK (languages_enc LIKE 'pv1.%'),
        contact_enc text NULL CHECK (contact_enc LIKE 'pv1.%'),
        documents_enc text NULL CHECK (documents_enc LIKE 'pv1.%'),
        registered_at timestamptz NOT NULL,
        registered_by text NOT NULL,
        updated_at timestamptz NOT NULL,
        erased_at timestamptz NULL,
        version int NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX person_site_registered ON person (site_code, registered_at, id)`);
    await q.query(`
      CREATE TABLE intake_case (
        id uuid PRIMARY KEY,
        reference text NOT NULL UNIQUE CHECK (reference ~ '^[A-Z]{2}-[0-9]{4}-[0-9]{6,}$'),
        site_code text NOT NULL REFERENCES site (code),
        custody_node char(2) NOT NULL,
        status text NOT NULL,
        priority text NOT NULL,
        principal_person_id uuid NOT NULL REFERENCES person (id),
        opened_at timestamptz NOT NULL,
        opened_by text NOT NULL,
        closed_at timestamptz NULL,
        close_reason text NULL,
        updated_at timestamptz NOT NULL,
        version int NOT NULL DEFAULT 1,
        CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
        CHECK ((status = 'closed') = (close_reason IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX intake_case_opened ON intake_case (opened_at, id)`);
    await q.query(`CREATE INDEX intake_case_site_opened ON intake_case (site_code, opened_at, id)`);
    await q.query(`CREATE INDEX intake_case_status_opened ON intake_case (status, opened_at, id)`);
    await q.query(`CREATE INDEX intake_case_principal ON intake_case (principal_person_id)`);
    await q.query(`
      CREATE TABLE case_person (
        case_id uuid NOT NULL REFERENCES intake_case (id),
        person_id uuid NOT NULL REFERENCES person (id),
        added_at timestamptz NOT NULL,
        PRIMARY KEY (case_id, person_id)
      )`);
    await q.query(`CREATE INDEX case_person_person ON case_person (person_id, added_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE case_person');
    await q.query('DROP TABLE intake_case');
    await q.query('DROP TABLE person');
  }
}
