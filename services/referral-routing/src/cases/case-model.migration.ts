import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing's read model of cases, built from intake's and screening's events: only what routing
 * and referrals need (data minimization): where the case is, its minimized attributes, the
 * persons of its household (ids), its referral and data-sharing consents, and the latest
 * screening's flags, risk level and recommended pathways. No identity, no answers.
 */
export class CreateRoutingCaseModel1797000000200 implements MigrationInterface {
  name = 'CreateRoutingCaseModel1797000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE routing_case (
        case_id uuid PRIMARY KEY,
        site_code text NOT NULL,
        custody_node char(2) NOT NULL,
        household boolean NOT NULL DEFAULT false,
        age_band text,
        sex text,
        nationality text,
        intake_flags text[] NOT NULL DEFAULT '{}',
        screening_id uuid,
        screened_at timestamptz,
        screening_flags text[],
        risk_level text,
        recommended jsonb NOT NULL DEFAULT '[]',
        opened_at timestamptz,
        closed_at timestamptz,
        erased_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`
      CREATE TABLE routing_case_person (
        case_id uuid NOT NULL REFERENCES routing_case (case_id) ON DELETE CASCADE,
        person_id uuid NOT NULL,
        age_band text,
        erased_at timestamptz,
        PRIMARY KEY (case_id, person_id)
      )`);
    await q.query(`
      CREATE TABLE routing_consent (
        consent_id text PRIMARY KEY,
        case_id uuid NOT NULL,
        purpose text NOT NULL,
        partner_id text,
        partner_type text,
        valid_from timestamptz,
        valid_until timestamptz,
        recorded_at timestamptz,
        withdrawn_at timestamptz
      )`);
    await q.query(`CREATE INDEX routing_consent_by_case ON routing_consent (case_id, purpose)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE routing_consent`);
    await q.query(`DROP TABLE routing_case_person`);
    await q.query(`DROP TABLE routing_case`);
  }
}
