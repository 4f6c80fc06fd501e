import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Screening per person, answers encrypted.
 *
 * - `person_record` / `case_member`: the persons intake registered (minimized attributes from
 *   PersonRegistered and PersonUpdated: age band, sex, nationality, flags) and the cases they are
 *   on, so screening never asks them again; `case_consent.person_id` is whose consent it is.
 * - `screening.person_id`: household members are screened one by one on the same case; at most
 *   one open (pending or in progress) screening per person; a pending screening opened from a
 *   reception concern has no person until a caseworker starts it (one such per case).
 * - `screening.answers_enc`: the answers (violence, trafficking, free-text notes…) as one
 *   AES-256-GCM ciphertext under the person's data key (libs/privacy, table person_data_key of
 *   this database, wrapped by the node KEK); erasing the person destroys the key. The plaintext
 *   `answers` column goes: the migration refuses to run over screenings that still hold answers
 *   in plaintext (they have no person to key them to).
 */
export class ScreeningPerPerson1796000000004 implements MigrationInterface {
  name = 'ScreeningPerPerson1796000000004';

  async up(q: QueryRunner): Promise<void> {
    const legacy: { n: number }[] = await q.query(`SELECT count(*)::int AS n FROM screening WHERE answers <> '{}'::jsonb`);
    if (legacy[0].n > 0) {
      throw new Error(`${legacy[0].n} screening(s) hold plaintext answers and no person to encrypt them for; export and erase them before upgrading`);
    }
    await q.query(`
      CREATE TABLE person_record (
        person_id uuid PRIMARY KEY,
        age_band text NOT NULL CHECK (age_band IN ('aged_0_to_4', 'aged_5_to_11', 'aged_12_to_17', 'aged_18_to_59', 'aged_60_plus', 'unknown')),
        sex text NOT NULL CHECK (sex IN ('female', 'male', 'other', 'undisclosed')),
        nationality char(2) NOT NULL CHECK (nationality ~ '^[A-Z]{2}$'),
        vulnerability_flags text[] NOT NULL DEFAULT '{}',
        erased_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`
      CREATE TABLE case_member (
        case_id uuid NOT NULL,
        person_id uuid NOT NULL REFERENCES person_record (person_id),
        added_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (case_id, person_id)
      )`);
    await q.query(`ALTER TABLE case_consent ADD COLUMN person_id uuid`);
    await q.query(`CREATE INDEX case_consent_by_person ON case_consent (person_id)`);

    await q.query(`DROP TRIGGER screening_final_guard ON screening`);
    await q.query(`
      ALTER TABLE screening
        DROP COLUMN answers,
        ADD COLUMN person_id uuid,
        ADD COLUMN answers_enc text CHECK (answers_enc IS NULL OR answers_enc LIKE 'pv1.%'),
        ADD CONSTRAINT screening_started_for_a_person CHECK (status IN ('pending', 'cancelled') OR person_id IS NOT NULL)`);
    await q.query(`DROP INDEX screening_one_open_per_case`);
    await q.query(`CREATE UNIQUE INDEX screening_one_open_per_person ON screening (person_id) WHERE status IN ('pending', 'in_progress')`);
    await q.query(`CREATE UNIQUE INDEX screening_one_unassigned_pending_per_case ON screening (case_id) WHERE status = 'pending' AND person_id IS NULL`);
    await q.query(`CREATE INDEX screening_by_person ON screening (person_id)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION screening_final_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status IN ('completed', 'cancelled') AND (
             NEW.status <> OLD.status
          OR NEW.outcome IS DISTINCT FROM OLD.outcome
          OR NEW.risk_level IS DISTINCT FROM OLD.risk_level
          OR NEW.questionnaire_version_id <> OLD.questionnaire_version_id
          OR NEW.definition_sha256 <> OLD.definition_sha256
          OR NEW.as_of IS DISTINCT FROM OLD.as_of
          OR NEW.completed_at IS DISTINCT FROM OLD.completed_at
          OR NEW.person_id IS DISTINCT FROM OLD.person_id
          OR (NEW.answers_enc IS DISTINCT FROM OLD.answers_enc AND (NEW.answers_enc IS NOT NULL OR NEW.answers_erased_at IS NULL))
        ) THEN
          RAISE EXCEPTION 'screening % is %; it is final', OLD.id, OLD.status USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER screening_final_guard BEFORE UPDATE ON screening FOR EACH ROW EXECUTE FUNCTION screening_final_guard()`);
  }

  async down(): Promise<void> {
    // The plaintext answers cannot come back from their ciphertexts without the data keys.
    throw new Error('ScreeningPerPerson1796000000004 cannot be reverted');
  }
}
