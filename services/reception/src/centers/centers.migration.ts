import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SEED_CENTERS } from './seed-centers';

/** Reception centers, with the region's centers of return loaded once (see SEED_CENTERS). */
export class CreateCenters1797000000000 implements MigrationInterface {
  name = 'CreateCenters1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE center (
        code text PRIMARY KEY,
        name text NOT NULL,
        country char(2) NOT NULL CHECK (country = substr(code, 1, 2)),
        kind text NOT NULL CHECK (kind IN ('airport', 'land_border', 'shelter')),
        location text NOT NULL,
        daily_capacity int NOT NULL CHECK (daily_capacity > 0),
        services text[] NOT NULL,
        operating_partner_id text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version int NOT NULL DEFAULT 1
      )`);
    for (const c of SEED_CENTERS) {
      await q.query(
        `INSERT INTO center (code, name, country, kind, location, daily_capacity, services, operating_partner_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now())`,
        [c.code, c.name, c.country, c.kind, c.location, c.dailyCapacity, c.services, c.operatingPartnerId],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE center`);
  }
}
