import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The per-person data key table: active rows hold a wrapped key, shredded rows are tombstones. */
export class CreatePersonDataKeys1764230500000 implements MigrationInterface {
  name = 'CreatePersonDataKeys1764230500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE person_data_key (
        person_id uuid PRIMARY KEY,
        kek_id text NULL,
        wrapped_key bytea NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        rotated_at timestamptz NULL,
        shredded_at timestamptz NULL,
        CONSTRAINT person_data_key_active_or_shredded CHECK (
          (shredded_at IS NULL AND kek_id IS NOT NULL AND wrapped_key IS NOT NULL)
          OR (shredded_at IS NOT NULL AND kek_id IS NULL AND wrapped_key IS NULL)
        )
      )`);
    await q.query(`CREATE INDEX person_data_key_by_kek ON person_data_key (kek_id, person_id) WHERE shredded_at IS NULL`);
    await q.query(`
      COMMENT ON TABLE person_data_key IS
        'Per-person data keys wrapped by a node KEK; a row with shredded_at set is an erasure tombstone (crypto-shredding).'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE person_data_key`);
  }
}
