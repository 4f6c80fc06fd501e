import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Screenings opened pending from reception's protection concerns.
 *
 * - `case_record` may now be known from reception first (`known_from = 'reception'`): a concern
 *   can arrive before intake's CaseOpened, so the case row is created with the reception center
 *   as its site and no reference; CaseOpened later fills it in (`known_from = 'intake'`).
 * - `screening` gets the trigger `protection_concern`, the concern it came from (one screening at
 *   most per concern), and who activated it (the caseworker who started it, consent checked).
 */
export class ProtectionConcernScreenings1796000000003 implements MigrationInterface {
  name = 'ProtectionConcernScreenings1796000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE case_record ALTER COLUMN reference DROP NOT NULL`);
    await q.query(`ALTER TABLE case_record ADD COLUMN known_from text NOT NULL DEFAULT 'intake' CHECK (known_from IN ('intake', 'reception'))`);
    await q.query(`ALTER TABLE case_record ADD CONSTRAINT case_record_reference_from_intake CHECK (known_from = 'reception' OR reference IS NOT NULL)`);

    await q.query(`ALTER TABLE screening DROP CONSTRAINT screening_trigger_check`);
    await q.query(`ALTER TABLE screening ADD CONSTRAINT screening_trigger_check CHECK (trigger IN ('caseworker', 'rescreen', 'protection_concern'))`);
    await q.query(`
      ALTER TABLE screening
        ADD COLUMN concern_id uuid,
        ADD COLUMN center_code text,
        ADD COLUMN concern_codes text[] NOT NULL DEFAULT '{}',
        ADD COLUMN activated_at timestamptz,
        ADD COLUMN activated_by_client text,
        ADD COLUMN activated_by_partner text,
        ADD CONSTRAINT screening_concern_iff_trigger CHECK ((trigger = 'protection_concern') = (concern_id IS NOT NULL AND center_code IS NOT NULL)),
        ADD CONSTRAINT screening_pending_only_from_concern CHECK (status <> 'pending' OR (trigger = 'protection_concern' AND activated_at IS NULL)),
        ADD CONSTRAINT screening_concern_activated_before_work CHECK (trigger <> 'protection_concern' OR status IN ('pending', 'cancelled') OR activated_at IS NOT NULL),
        ADD CONSTRAINT screening_activation_complete CHECK ((activated_at IS NULL) = (activated_by_client IS NULL) AND (activated_at IS NULL) = (activated_by_partner IS NULL))`);
    await q.query(`CREATE UNIQUE INDEX screening_one_per_concern ON screening (concern_id) WHERE concern_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX screening_one_per_concern`);
    await q.query(`
      ALTER TABLE screening
        DROP CONSTRAINT screening_activation_complete,
        DROP CONSTRAINT screening_concern_activated_before_work,
        DROP CONSTRAINT screening_pending_only_from_concern,
        DROP CONSTRAINT screening_concern_iff_trigger,
        DROP COLUMN activated_by_partner,
        DROP COLUMN activated_by_client,
        DROP COLUMN activated_at,
        DROP COLUMN concern_codes,
        DROP COLUMN center_code,
        DROP COLUMN concern_id`);
    await q.query(`ALTER TABLE screening DROP CONSTRAINT screening_trigger_check`);
    await q.query(`ALTER TABLE screening ADD CONSTRAINT screening_trigger_check CHECK (trigger IN ('caseworker', 'rescreen'))`);
    await q.query(`ALTER TABLE case_record DROP CONSTRAINT case_record_reference_from_intake`);
    await q.query(`ALTER TABLE case_record DROP COLUMN known_from`);
    await q.query(`ALTER TABLE case_record ALTER COLUMN reference SET NOT NULL`);
  }
}
