import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reports peers shared with this node (sharing.ts): codes and counts only, as received (the
 * sender suppressed small cells before sealing; the receiver checked the rule again).
 */
export class CreateSharedReports1767052800500 implements MigrationInterface {
  name = 'CreateSharedReports1767052800500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE shared_report (
        share_id uuid PRIMARY KEY,
        envelope_id text NOT NULL UNIQUE,
        from_node text NOT NULL CHECK (from_node ~ '^[A-Z]{2}$'),
        service text NOT NULL,
        report text NOT NULL,
        unit text NOT NULL,
        dimensions text[] NOT NULL,
        from_week text,
        to_week text,
        generated_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        cells jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX shared_report_newest ON shared_report (from_node, received_at DESC, share_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE shared_report`);
  }
}

/** Add to the migrations of a service that receives reports from peers. */
export const sharedReportMigrations = [CreateSharedReports1767052800500] as const;
