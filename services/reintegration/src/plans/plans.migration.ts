import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reintegration plans: members with their goals and coded specific needs, assigned partner
 * programs (from referral-routing's directory, followed through its events), tasks, follow-up
 * milestones with their sustainability scores, and the check-ins plans start from.
 */
export class CreatePlans1798000000100 implements MigrationInterface {
  name = 'CreatePlans1798000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE program_record (
        program_id text PRIMARY KEY,
        partner_id text NOT NULL,
        pathway text NOT NULL,
        status text NOT NULL,
        node text NOT NULL,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`
      CREATE TABLE check_in (
        arrival_id uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        person_id uuid NOT NULL,
        center_code text NOT NULL,
        checked_in_at timestamptz NOT NULL,
        plan_id uuid
      )`);
    await q.query(`CREATE INDEX check_in_by_case_person ON check_in (case_id, person_id)`);
    await q.query(`
      CREATE TABLE plan (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        origin text NOT NULL CHECK (origin IN ('check_in', 'caseworker')),
        status text NOT NULL CHECK (status IN ('draft', 'active', 'on_hold', 'completed', 'dropped')),
        outcome text,
        referring_center_code text,
        referring_node text NOT NULL,
        jurisdiction text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        activated_at timestamptz,
        closed_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    // One open plan per case: a household's members share it.
    await q.query(`CREATE UNIQUE INDEX plan_one_open_per_case ON plan (case_id) WHERE status IN ('draft', 'active', 'on_hold')`);
    await q.query(`CREATE INDEX plan_by_created ON plan (created_at, id)`);
    await q.query(`
      CREATE TABLE plan_member (
        plan_id uuid NOT NULL REFERENCES plan (id),
        person_id uuid NOT NULL,
        role text NOT NULL,
        goals text[] NOT NULL DEFAULT '{}',
        specific_needs text[] NOT NULL DEFAULT '{}',
        erased_at timestamptz,
        position integer NOT NULL,
        PRIMARY KEY (plan_id, person_id)
      )`);
    await q.query(`CREATE INDEX plan_member_by_person ON plan_member (person_id)`);
    await q.query(`
      CREATE TABLE plan_program (
        plan_id uuid NOT NULL REFERENCES plan (id),
        program_id text NOT NULL,
        PRIMARY KEY (plan_id, program_id)
      )`);
    await q.query(`
      CREATE TABLE plan_task (
        id uuid PRIMARY KEY,
        plan_id uuid NOT NULL REFERENCES plan (id),
        person_id uuid NOT NULL,
        kind text NOT NULL,
        due_on date NOT NULL,
        owner_kind text NOT NULL,
        owner_program_id text,
        details jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('open', 'completed', 'cancelled')),
        created_at timestamptz NOT NULL,
        completed_at timestamptz
      )`);
    await q.query(`CREATE INDEX plan_task_by_plan ON plan_task (plan_id, created_at, id)`);
    await q.query(`
      CREATE TABLE follow_up (
        id uuid PRIMARY KEY,
        plan_id uuid NOT NULL REFERENCES plan (id),
        milestone text NOT NULL,
        due_at timestamptz NOT NULL,
        overdue_at timestamptz,
        recorded_at timestamptz,
        answers jsonb,
        economic numeric(5, 4),
        social numeric(5, 4),
        psychosocial numeric(5, 4),
        composite numeric(5, 4),
        UNIQUE (plan_id, milestone)
      )`);
    await q.query(`CREATE INDEX follow_up_pending_by_due ON follow_up (due_at) WHERE recorded_at IS NULL AND overdue_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['follow_up', 'plan_task', 'plan_program', 'plan_member', 'plan', 'check_in', 'program_record']) await q.query(`DROP TABLE ${t}`);
  }
}
