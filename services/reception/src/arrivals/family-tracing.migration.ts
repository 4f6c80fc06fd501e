import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Family-tracing requests made from a center: ids and codes only; the referral itself lives in referral routing. */
export class CreateFamilyTracing1797000000011 implements MigrationInterface {
  name = 'CreateFamilyTracing1797000000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE family_tracing_request (
        id uuid PRIMARY KEY,
        arrival_id uuid NOT NULL REFERENCES arrival (id),
        program_id uuid NOT NULL,
        subject text NOT NULL CHECK (subject IN ('unaccompanied_child', 'separated_child', 'separated_family_member')),
        referral_id uuid NOT NULL UNIQUE,
        referral_status text NOT NULL,
        requested_at timestamptz NOT NULL,
        requested_by text NOT NULL,
        desk text NOT NULL
      )`);
    await q.query(`CREATE INDEX family_tracing_request_arrival ON family_tracing_request (arrival_id, requested_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE family_tracing_request`);
  }
}
