import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Movements (a returning country's manifest), arrivals (one per person expected or walking in)
 * and the pending queue of personal data waiting for intake.
 *
 * Reception keeps no identity: an arrival holds intake's person and case ids, keyed hashes of
 * the returning country's reference and of the row's content (to recognise a re-post), and
 * status. Until intake has matched a row, its personal data waits encrypted (PersonVault, under
 * a data key of the post, wrapped by the node's KEK) in `pending_personal_data`; the row is
 * deleted and the key shredded once intake answered. Medical and protection notes are kept
 * encrypted under the person's data key in `arrival_note`.
 */
export class CreateArrivals1797000000001 implements MigrationInterface {
  name = 'CreateArrivals1797000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE movement (
        id uuid PRIMARY KEY,
        partner_id text NOT NULL,
        reference text NOT NULL,
        center_code text NOT NULL REFERENCES center (code),
        kind text NOT NULL CHECK (kind IN ('flight', 'land', 'avr', 'custody_transfer')),
        expected_on date NOT NULL,
        carrier_reference text NULL,
        returning_country char(2) NOT NULL,
        row_count int NOT NULL,
        rejected jsonb NOT NULL DEFAULT '[]',
        salt bytea NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version int NOT NULL DEFAULT 1,
        CONSTRAINT movement_reference_unique UNIQUE (partner_id, reference)
      )`);
    await q.query(`
      CREATE TABLE arrival (
        id uuid PRIMARY KEY,
        movement_id uuid NULL REFERENCES movement (id),
        center_code text NOT NULL REFERENCES center (code),
        expected_on date NOT NULL,
        row_number int NULL,
        row_key text NULL,
        content_hash text NULL,
        status text NOT NULL CHECK (status IN ('pending', 'expected', 'rejected', 'withdrawn', 'arrived', 'sent_to_hospital', 'no_show', 'handed_over')),
        match text NULL CHECK (match IN ('matched', 'registered')),
        person_id uuid NULL,
        case_id uuid NULL,
        unaccompanied_child boolean NOT NULL DEFAULT false,
        at_risk boolean NOT NULL DEFAULT false,
        walk_in boolean NOT NULL DEFAULT false,
        intake_errors jsonb NULL,
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NULL,
        checked_in_at timestamptz NULL,
        checked_in_by text NULL,
        desk text NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version int NOT NULL DEFAULT 1,
        CONSTRAINT arrival_row_unique UNIQUE (movement_id, row_key),
        CONSTRAINT arrival_ids_when_matched CHECK (status IN ('pending', 'rejected', 'withdrawn') OR (person_id IS NOT NULL AND case_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX arrival_pending ON arrival (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX arrival_center_day ON arrival (center_code, expected_on)`);
    await q.query(`CREATE INDEX arrival_movement ON arrival (movement_id, row_number)`);
    await q.query(`
      CREATE TABLE pending_personal_data (
        arrival_id uuid PRIMARY KEY REFERENCES arrival (id) ON DELETE CASCADE,
        key_owner uuid NOT NULL,
        identity_enc text NOT NULL,
        medical_notes_enc text NULL,
        protection_notes_enc text NULL
      )`);
    await q.query(`CREATE INDEX pending_personal_data_owner ON pending_personal_data (key_owner)`);
    await q.query(`
      CREATE TABLE arrival_note (
        arrival_id uuid PRIMARY KEY REFERENCES arrival (id) ON DELETE CASCADE,
        person_id uuid NOT NULL,
        medical_notes_enc text NULL,
        protection_notes_enc text NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE arrival_note`);
    await q.query(`DROP TABLE pending_personal_data`);
    await q.query(`DROP TABLE arrival`);
    await q.query(`DROP TABLE movement`);
  }
}
