import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Registration points (MRCs, mobile units, reception centres, consulates) and the partner directory. */
export class CreateSites1766102400000 implements MigrationInterface {
  name = 'CreateSites1766102400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE site (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z]{2}(-[A-Z0-9]{1,16}){1,4}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$' AND left(code, 2) = country),
        kind text NOT NULL CHECK (kind IN ('fixed', 'mobile', 'reception', 'consulate')),
        locality text NULL CHECK (length(locality) <= 200),
        operating_partner_id text NULL CHECK (length(operating_partner_id) <= 128),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        version int NOT NULL DEFAULT 1
      )`);
    await q.query(`
      CREATE TABLE partner_directory_entry (
        id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
        partner_type text NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        version int NOT NULL DEFAULT 1
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE partner_directory_entry');
    await q.query('DROP TABLE site');
  }
}
