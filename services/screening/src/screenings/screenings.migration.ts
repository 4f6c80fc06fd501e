import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Screening sessions. A completed or cancelled screening is final (trigger): its questionnaire,
 * outcome and status never change; the only change allowed is erasing its answers when the
 * person's data is erased.
 */
export class CreateScreening1796000000002 implements MigrationInterface {
  name = 'CreateScreening1796000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE screening (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES case_record (case_id),
        questionnaire_version_id uuid NOT NULL REFERENCES questionnaire_version (id),
        questionnaire_key text NOT NULL,
        questionnaire_version integer NOT NULL,
        definition_sha256 text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'in_progress', 'completed', 'cancelled')),
        trigger text NOT NULL CHECK (trigger IN ('caseworker', 'rescreen')),
        previous_screening_id uuid REFERENCES screening (id),
        answers jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(answers) = 'object'),
        outcome jsonb,
        risk_level text CHECK (risk_level IN ('low', 'medium', 'high', 'urgent')),
        as_of text CHECK (as_of ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
        started_by_client text NOT NULL,
        started_by_partner text NOT NULL,
        completed_by_client text,
        completed_by_partner text,
        cancel_reason text CHECK (cancel_reason IN ('consent_withdrawn', 'case_closed', 'person_erased')),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        completed_at timestamptz,
        cancelled_at timestamptz,
        answers_erased_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        CHECK ((status = 'completed') = (outcome IS NOT NULL AND completed_at IS NOT NULL AND risk_level IS NOT NULL AND as_of IS NOT NULL)),
        CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX screening_one_open_per_case ON screening (case_id) WHERE status IN ('pending', 'in_progress')`);
    await q.query(`CREATE INDEX screening_by_case ON screening (case_id, created_at, id)`);
    await q.query(`
      CREATE FUNCTION screening_final_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status IN ('completed', 'cancelled') AND (
             NEW.status <> OLD.status
          OR NEW.outcome IS DISTINCT FROM OLD.outcome
          OR NEW.risk_level IS DISTINCT FROM OLD.risk_level
          OR NEW.questionnaire_version_id <> OLD.questionnaire_version_id
          OR NEW.definition_sha256 <> OLD.definition_sha256
          OR NEW.as_of IS DISTINCT FROM OLD.as_of
          OR NEW.completed_at IS DISTINCT FROM OLD.completed_at
          OR (NEW.answers IS DISTINCT FROM OLD.answers AND (NEW.answers <> '{}'::jsonb OR NEW.answers_erased_at IS NULL))
        ) THEN
          RAISE EXCEPTION 'screening % is %; it is final', OLD.id, OLD.status USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER screening_final_guard BEFORE UPDATE ON screening
      FOR EACH ROW EXECUTE FUNCTION screening_final_guard()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE screening`);
    await q.query(`DROP FUNCTION screening_final_guard()`);
  }
}
