import type { MigrationInterface, QueryRunner } from 'typeorm';
import { REJECTION_REASONS, TRANSFER_STATUSES, WITHDRAWAL_CAUSES } from './transfer-rules';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * Custody transfers, on both nodes (`direction`): the origin's case and where it went, or the
 * package a destination holds while it decides. The package (identities) waits encrypted under a
 * data key of the transfer's own (person_data_key, keyed by the transfer id) and is crypto-shredded
 * once decided or withdrawn. `custody_transfer_person`: how the destination knows each person
 * (registered anew, or linked to someone already known there).
 */
export class CreateCustodyTransfers1766102409000 implements MigrationInterface {
  name = 'CreateCustodyTransfers1766102409000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE custody_transfer (
        id uuid PRIMARY KEY,
        direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
        origin_node char(2) NOT NULL CHECK (origin_node ~ '^[A-Z]{2}$'),
        origin_case_id uuid NOT NULL,
        destination_node char(2) NOT NULL CHECK (destination_node ~ '^[A-Z]{2}$'),
        destination_case_id uuid,
        status text NOT NULL CHECK (status IN (${list(TRANSFER_STATUSES)})),
        reason text NOT NULL,
        rejection_reason text CHECK (rejection_reason IN (${list([...REJECTION_REASONS, 'decision_sla_missed'])})),
        withdrawal_cause text CHECK (withdrawal_cause IN (${list(WITHDRAWAL_CAUSES)})),
        person_ids uuid[] NOT NULL CHECK (cardinality(person_ids) BETWEEN 1 AND 50),
        fields text[] NOT NULL,
        case_status_before text,
        package_ciphertext text,
        decide_due_at timestamptz NOT NULL,
        requested_at timestamptz NOT NULL,
        decided_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT custody_transfer_package_only_pending CHECK (package_ciphertext IS NULL OR (direction = 'inbound' AND status = 'pending'))
      )`);
    await q.query(`CREATE UNIQUE INDEX custody_transfer_one_pending_per_case ON custody_transfer (origin_case_id, direction) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX custody_transfer_listing ON custody_transfer (requested_at DESC, id DESC)`);
    await q.query(`CREATE INDEX custody_transfer_due ON custody_transfer (decide_due_at) WHERE status = 'pending' AND direction = 'inbound'`);
    await q.query(`
      CREATE TABLE custody_transfer_person (
        transfer_id uuid NOT NULL REFERENCES custody_transfer (id),
        origin_person_id uuid NOT NULL,
        destination_person_id uuid NOT NULL,
        linked boolean NOT NULL,
        PRIMARY KEY (transfer_id, origin_person_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE custody_transfer_person`);
    await q.query(`DROP TABLE custody_transfer`);
  }
}
