import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Questionnaire versions. Published content is frozen by a trigger (defence in depth under the
 * service's own checks): a published or retired definition never changes, statuses only move
 * draft → published → retired, and only drafts can be deleted.
 */
export class CreateQuestionnaireVersion1796000000000 implements MigrationInterface {
  name = 'CreateQuestionnaireVersion1796000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE questionnaire_version (
        id uuid PRIMARY KEY,
        questionnaire_key text NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        status text NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
        definition jsonb NOT NULL,
        definition_sha256 text NOT NULL CHECK (definition_sha256 ~ '^[0-9a-f]{64}$'),
        source text NOT NULL CHECK (source IN ('default', 'admin')),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz,
        published_by text,
        retired_at timestamptz,
        retired_by text,
        row_version integer NOT NULL DEFAULT 1,
        CONSTRAINT questionnaire_version_key_version UNIQUE (questionnaire_key, version),
        CHECK ((status = 'draft') = (published_at IS NULL)),
        CHECK ((status = 'retired') = (retired_at IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX questionnaire_version_one_draft ON questionnaire_version (questionnaire_key) WHERE status = 'draft'`);
    await q.query(`CREATE INDEX questionnaire_version_list ON questionnaire_version (created_at, id)`);
    await q.query(`
      CREATE FUNCTION questionnaire_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'questionnaire % version % is %; only drafts can be deleted', OLD.questionnaire_key, OLD.version, OLD.status
              USING ERRCODE = 'check_violation';
          END IF;
          RETURN OLD;
        END IF;
        IF NEW.questionnaire_key <> OLD.questionnaire_key OR NEW.version <> OLD.version THEN
          RAISE EXCEPTION 'the key and version of a questionnaire version never change' USING ERRCODE = 'check_violation';
        END IF;
        IF OLD.status <> 'draft' AND (NEW.definition IS DISTINCT FROM OLD.definition OR NEW.definition_sha256 <> OLD.definition_sha256) THEN
          RAISE EXCEPTION 'questionnaire % version % is %; its definition is frozen', OLD.questionnaire_key, OLD.version, OLD.status
            USING ERRCODE = 'check_violation';
        END IF;
        IF NOT (NEW.status = OLD.status OR (OLD.status = 'draft' AND NEW.status = 'published') OR (OLD.status = 'published' AND NEW.status = 'retired')) THEN
          RAISE EXCEPTION 'questionnaire status cannot change from % to %', OLD.status, NEW.status USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER questionnaire_version_guard BEFORE UPDATE OR DELETE ON questionnaire_version
      FOR EACH ROW EXECUTE FUNCTION questionnaire_version_guard()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE questionnaire_version`);
    await q.query(`DROP FUNCTION questionnaire_version_guard()`);
  }
}
