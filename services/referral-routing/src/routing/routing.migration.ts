import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing's own state: the latest ranked suggestions per case, each program's SLA record (from
 * referral events), and urgent protection alerts with their acknowledgement deadline.
 */
export class CreateRouting1797000000201 implements MigrationInterface {
  name = 'CreateRouting1797000000201';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE routing_suggestion (
        case_id uuid PRIMARY KEY,
        screening_id uuid NOT NULL,
        computed_at timestamptz NOT NULL,
        suggestions jsonb NOT NULL,
        ineligible jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE routing_program_sla (
        program_id uuid PRIMARY KEY,
        kept integer NOT NULL DEFAULT 0 CHECK (kept >= 0),
        breached integer NOT NULL DEFAULT 0 CHECK (breached >= 0),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`
      CREATE TABLE routing_protection_alert (
        alert_id text PRIMARY KEY,
        case_id uuid NOT NULL,
        screening_id text NOT NULL,
        site_code text NOT NULL,
        custody_node char(2) NOT NULL,
        risk_level text NOT NULL,
        raised_at timestamptz NOT NULL,
        acknowledge_due_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        acknowledged_by text,
        escalated_at timestamptz
      )`);
    // The sweeper's query: open alerts past their deadline, oldest first.
    await q.query(`CREATE INDEX routing_protection_alert_due ON routing_protection_alert (acknowledge_due_at) WHERE acknowledged_at IS NULL AND escalated_at IS NULL`);
    await q.query(`CREATE INDEX routing_protection_alert_by_case ON routing_protection_alert (case_id, raised_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE routing_protection_alert`);
    await q.query(`DROP TABLE routing_program_sla`);
    await q.query(`DROP TABLE routing_suggestion`);
  }
}
