import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Protection overrides: an authorized officer lifts the protection block for one person toward
 * one node, for some exchange kinds, for a stated purpose (a closed code) and a limited time.
 * Ids, codes and times only; the officer's act is also in the audit log.
 */
export class CreateProtectionOverrides1766102400005 implements MigrationInterface {
  name = 'CreateProtectionOverrides1766102400005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE protection_override (
        id uuid PRIMARY KEY,
        person_id uuid NOT NULL REFERENCES person (id),
        node char(2) NOT NULL CHECK (node ~ '^[A-Z]{2}$'),
        kinds text[] NOT NULL CHECK (cardinality(kinds) > 0),
        purpose text NOT NULL,
        granted_by text NOT NULL,
        granted_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        CHECK (expires_at > granted_at)
      )`);
    await q.query(`CREATE INDEX protection_override_by_person ON protection_override (person_id, expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE protection_override`);
  }
}
