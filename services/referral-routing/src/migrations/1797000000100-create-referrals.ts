import type { MigrationInterface, QueryRunner } from 'typeorm';
import { REFERRAL_STATUSES, STATUS_REASONS, REFERRAL_OUTCOMES, REFERRAL_ACTIONS, REFERRAL_ROLES } from '../referrals/referral-state-machine';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * Referrals and what hangs off them:
 *
 * - `referral`: one request that a partner's program serve a case (FHIR Task-like). At most one
 *   open referral per case and program. `slot_reserved` says whether it holds one of the
 *   program's open slots (reserved on accept, released on reject/cancel/complete).
 * - `referral_transition`: every transition with actor, role, time and coded reason (the history).
 * - `referral_message`: requests for more information and answers between caseworker and partner.
 * - `referral_delivery`: the webhook delivery outbox. Rows are written in the transaction of the
 *   change they announce and sent later by the dispatcher, per partner, with retries; never an
 *   HTTP call inside a request's or an event handler's transaction.
 */
export class CreateReferrals1797000000100 implements MigrationInterface {
  name = 'CreateReferrals1797000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE referral (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        program_id uuid NOT NULL REFERENCES directory_program (id),
        partner_id text NOT NULL,
        pathway text NOT NULL,
        covered_person_ids uuid[] NOT NULL CHECK (cardinality(covered_person_ids) BETWEEN 1 AND 50),
        part_of uuid REFERENCES referral (id),
        suggestion_id uuid,
        status text NOT NULL CHECK (status IN (${list(REFERRAL_STATUSES)})),
        held_from text CHECK (held_from IN ('received', 'accepted', 'in_progress')),
        business_status text,
        status_reason text NOT NULL CHECK (status_reason IN (${list(STATUS_REASONS)})),
        outcome text CHECK (outcome IN (${list(REFERRAL_OUTCOMES)})),
        channels text[] NOT NULL,
        slot_reserved boolean NOT NULL DEFAULT false,
        acknowledge_due_at timestamptz NOT NULL,
        decide_due_at timestamptz NOT NULL,
        referring_node char(2) NOT NULL,
        referring_partner_id text NOT NULL,
        requested_by_client text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT referral_held_iff_on_hold CHECK ((status = 'on_hold') = (held_from IS NOT NULL)),
        CONSTRAINT referral_outcome_iff_completed CHECK ((status = 'completed') = (outcome IS NOT NULL)),
        CONSTRAINT referral_slot_only_when_taken CHECK (NOT slot_reserved OR status IN ('accepted', 'in_progress', 'on_hold'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX referral_one_open_per_case_program ON referral (case_id, program_id)
         WHERE status NOT IN ('completed', 'rejected', 'cancelled', 'failed', 'expired', 'entered_in_error')`,
    );
    await q.query(`CREATE INDEX referral_by_partner ON referral (partner_id, created_at, id)`);
    await q.query(`CREATE INDEX referral_by_case ON referral (case_id, created_at, id)`);
    await q.query(`CREATE INDEX referral_by_referrer ON referral (referring_partner_id, created_at, id)`);
    await q.query(`CREATE INDEX referral_awaiting_partner ON referral (acknowledge_due_at) WHERE status IN ('requested', 'sent', 'received')`);
    await q.query(`CREATE INDEX referral_part_of ON referral (part_of) WHERE part_of IS NOT NULL`);

    await q.query(`
      CREATE TABLE referral_transition (
        id bigserial PRIMARY KEY,
        referral_id uuid NOT NULL REFERENCES referral (id),
        action text NOT NULL CHECK (action IN (${list(['request', ...REFERRAL_ACTIONS])})),
        from_status text CHECK (from_status IN (${list(REFERRAL_STATUSES)})),
        to_status text NOT NULL CHECK (to_status IN (${list(REFERRAL_STATUSES)})),
        reason text NOT NULL CHECK (reason IN (${list(STATUS_REASONS)})),
        business_status text,
        outcome text,
        actor_role text NOT NULL CHECK (actor_role IN (${list(REFERRAL_ROLES)})),
        actor_client text NOT NULL,
        actor_partner text NOT NULL,
        at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX referral_transition_by_referral ON referral_transition (referral_id, id)`);

    await q.query(`
      CREATE TABLE referral_message (
        id uuid PRIMARY KEY,
        referral_id uuid NOT NULL REFERENCES referral (id),
        author text NOT NULL CHECK (author IN ('referrer', 'partner')),
        kind text NOT NULL CHECK (kind IN ('information_request', 'information_response', 'note')),
        body text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
        in_reply_to uuid REFERENCES referral_message (id),
        posted_by_client text NOT NULL,
        posted_by_partner text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX referral_message_by_referral ON referral_message (referral_id, created_at, id)`);

    await q.query(`
      CREATE TABLE referral_delivery (
        id uuid PRIMARY KEY,
        seq bigserial NOT NULL UNIQUE,
        partner_id text NOT NULL,
        referral_id uuid NOT NULL REFERENCES referral (id),
        case_id uuid NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        locked_until timestamptz,
        last_failure text CHECK (last_failure IN ('timeout', 'http_status', 'connection', 'address_refused')),
        last_http_status integer,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        delivered_at timestamptz,
        failed_at timestamptz
      )`);
    await q.query(`CREATE INDEX referral_delivery_due ON referral_delivery (partner_id, next_attempt_at, seq) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX referral_delivery_by_referral ON referral_delivery (referral_id, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE referral_delivery`);
    await q.query(`DROP TABLE referral_message`);
    await q.query(`DROP TABLE referral_transition`);
    await q.query(`DROP TABLE referral`);
  }
}
