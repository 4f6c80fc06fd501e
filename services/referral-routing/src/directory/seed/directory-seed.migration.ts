import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Remembers which directory seed a node was loaded with, so a restart never loads it again. */
export class CreateDirectorySeedMarker1797000000001 implements MigrationInterface {
  name = 'CreateDirectorySeedMarker1797000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE directory_seed (seed text PRIMARY KEY, loaded_at timestamptz NOT NULL DEFAULT clock_timestamp(), partners integer NOT NULL, programs integer NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE directory_seed`);
  }
}
