import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retraction notices sent after a consent withdrawal or an erasure (one per receiver and route,
 * see retractions.ts) and the receipts they got. Ids, codes and times only.
 */
export class CreateRetractionNotices1767052800200 implements MigrationInterface {
  name = 'CreateRetractionNotices1767052800200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE retraction_notice (
        notice_id uuid PRIMARY KEY,
        person_id uuid NOT NULL,
        case_id uuid,
        receiver_type text NOT NULL CHECK (receiver_type IN ('node', 'partner')),
        receiver text NOT NULL CHECK (length(receiver) BETWEEN 2 AND 64),
        route text NOT NULL CHECK (route IN ('match-keys-retraction', 'retraction', 'partner')),
        cause text NOT NULL CHECK (cause IN ('consent-withdrawn', 'person-erased')),
        purpose text,
        channels text[] NOT NULL,
        envelope_id uuid,
        sent_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        receipted_at timestamptz,
        CHECK (receiver_type <> 'node' OR receiver ~ '^[A-Z]{2}$'),
        CHECK ((receiver_type = 'partner') = (route = 'partner'))
      )`);
    await q.query(`CREATE INDEX retraction_notice_by_person ON retraction_notice (person_id)`);
    await q.query(`CREATE INDEX retraction_notice_waiting ON retraction_notice (due_at) WHERE receipted_at IS NULL`);
    await q.query(`CREATE INDEX retraction_notice_by_envelope ON retraction_notice (envelope_id) WHERE envelope_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE retraction_notice`);
  }
}
