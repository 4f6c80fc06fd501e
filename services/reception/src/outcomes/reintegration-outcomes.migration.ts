import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Outcomes of reintegration plans referred by this node's centers (PlanClosed): ids, codes and scores only. */
export class CreateReintegrationOutcomes1797000000020 implements MigrationInterface {
  name = 'CreateReintegrationOutcomes1797000000020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reintegration_outcome (
        plan_id uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        center_code text NOT NULL REFERENCES center (code),
        status text NOT NULL CHECK (status IN ('completed', 'dropped')),
        outcome text NOT NULL,
        economic double precision CHECK (economic BETWEEN 0 AND 1),
        social double precision CHECK (social BETWEEN 0 AND 1),
        psychosocial double precision CHECK (psychosocial BETWEEN 0 AND 1),
        composite double precision CHECK (composite BETWEEN 0 AND 1),
        closed_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX reintegration_outcome_center ON reintegration_outcome (center_code, plan_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reintegration_outcome`);
  }
}
