import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What custody transfers learned after their first version:
 * - each consent of an accepted package is recorded at the destination with its provenance (the
 *   origin node and the consent's id there), once per case;
 * - a transfer is also withdrawn when a person of it is erased at the origin (`person_erased`), or
 *   at the destination when the origin's retraction notice arrives while it is pending
 *   (`retracted`: the notice never says why).
 */
export class CustodyTransferAdditions1766102409001 implements MigrationInterface {
  name = 'CustodyTransferAdditions1766102409001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consent ADD COLUMN origin_node char(2) NULL CHECK (origin_node ~ '^[A-Z]{2}$'), ADD COLUMN origin_consent_id uuid NULL`);
    await q.query(`ALTER TABLE consent ADD CONSTRAINT consent_provenance_whole CHECK ((origin_node IS NULL) = (origin_consent_id IS NULL))`);
    await q.query(`CREATE UNIQUE INDEX consent_imported_once ON consent (origin_node, origin_consent_id, case_id) WHERE origin_node IS NOT NULL`);
    await q.query(`ALTER TABLE custody_transfer DROP CONSTRAINT custody_transfer_withdrawal_cause_check`);
    await q.query(`ALTER TABLE custody_transfer ADD CONSTRAINT custody_transfer_withdrawal_cause_check CHECK (withdrawal_cause IN ('origin_withdrew', 'consent_withdrawn', 'person_erased', 'retracted'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE custody_transfer DROP CONSTRAINT custody_transfer_withdrawal_cause_check`);
    await q.query(`ALTER TABLE custody_transfer ADD CONSTRAINT custody_transfer_withdrawal_cause_check CHECK (withdrawal_cause IN ('origin_withdrew', 'consent_withdrawn'))`);
    await q.query(`DROP INDEX consent_imported_once`);
    await q.query(`ALTER TABLE consent DROP CONSTRAINT consent_provenance_whole, DROP COLUMN origin_consent_id, DROP COLUMN origin_node`);
  }
}
