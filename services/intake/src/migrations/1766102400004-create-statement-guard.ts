import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `statement_guard(ok, reason)`: raises `reason` (SQLSTATE P0001) unless `ok`. A registration
 * is one composed statement (person, case, data key, outbox, audit); its final SELECT calls this
 * so that a failed precondition (an inactive site) aborts the whole statement, not just its
 * person rows.
 */
export class CreateStatementGuard1766102400004 implements MigrationInterface {
  name = 'CreateStatementGuard1766102400004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION statement_guard(ok boolean, reason text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        IF ok IS NOT TRUE THEN
          RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = reason;
        END IF;
        RETURN true;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION statement_guard(boolean, text)`);
  }
}
