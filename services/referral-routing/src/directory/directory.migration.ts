import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AGREEMENT_PURPOSES, DELIVERY_CHANNELS, ORGANIZATION_KINDS, PARTNER_STATUSES, PARTNER_TYPES, PATHWAYS, PROGRAM_STATUSES, sqlList } from './vocabulary';

/**
 * The program directory (Open Referral HSDS): partners, their locations and programs, and the
 * data-sharing agreements between this node and each partner. Capacity lives on the program row
 * with CHECK (open_slots >= 0), so a referral reserves a slot with one atomic conditional UPDATE
 * and the database itself refuses overselling.
 */
export class CreateDirectory1797000000000 implements MigrationInterface {
  name = 'CreateDirectory1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE directory_partner (
        id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(id) BETWEEN 2 AND 64),
        name text NOT NULL,
        alternate_name text,
        kind text NOT NULL CHECK (kind IN (${sqlList(ORGANIZATION_KINDS)})),
        partner_type text NOT NULL CHECK (partner_type IN (${sqlList(PARTNER_TYPES)})),
        description text,
        country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
        node char(2) NOT NULL CHECK (node ~ '^[A-Z]{2}$'),
        website text,
        email text,
        status text NOT NULL DEFAULT 'active' CHECK (status IN (${sqlList(PARTNER_STATUSES)})),
        delivery_channels text[] NOT NULL DEFAULT '{rest_pull}' CHECK (delivery_channels <@ ARRAY[${sqlList(DELIVERY_CHANNELS)}]::text[]),
        webhook_url text,
        webhook_secret_id uuid,
        webhook_secret_kek_id text,
        webhook_secret_wrapped_key bytea,
        webhook_secret_ciphertext text,
        last_verified_on date,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT directory_partner_webhook_complete CHECK (
          NOT ('webhook' = ANY (delivery_channels)) OR (webhook_url IS NOT NULL AND webhook_secret_ciphertext IS NOT NULL)
        )
      )`);
    // Partner topics use the id in lower case: ids differing only in case would share one.
    await q.query(`CREATE UNIQUE INDEX directory_partner_id_any_case ON directory_partner (lower(id))`);
    await q.query(`CREATE INDEX directory_partner_listing ON directory_partner (created_at, id)`);

    await q.query(`
      CREATE TABLE directory_location (
        id uuid PRIMARY KEY,
        partner_id text NOT NULL REFERENCES directory_partner (id),
        name text NOT NULL,
        site_code text,
        country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
        subdivision text,
        city text NOT NULL,
        address text,
        latitude double precision CHECK (latitude BETWEEN -90 AND 90),
        longitude double precision CHECK (longitude BETWEEN -180 AND 180),
        accessibility jsonb NOT NULL DEFAULT '[]',
        opening_hours jsonb NOT NULL DEFAULT '[]',
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX directory_location_by_partner ON directory_location (partner_id, created_at, id)`);

    await q.query(`
      CREATE TABLE directory_program (
        id uuid PRIMARY KEY,
        partner_id text NOT NULL REFERENCES directory_partner (id),
        name text NOT NULL,
        alternate_name text,
        description text NOT NULL,
        pathway text NOT NULL CHECK (pathway IN (${sqlList(PATHWAYS)})),
        status text NOT NULL DEFAULT 'active' CHECK (status IN (${sqlList(PROGRAM_STATUSES)})),
        taxonomy_code text,
        node char(2) NOT NULL CHECK (node ~ '^[A-Z]{2}$'),
        languages text[] NOT NULL DEFAULT '{}',
        service_areas jsonb NOT NULL DEFAULT '[]',
        required_documents jsonb NOT NULL DEFAULT '[]',
        fees jsonb NOT NULL DEFAULT '{"free": true}',
        application_process text,
        eligibility_description text,
        eligibility_rule jsonb,
        total_slots integer NOT NULL CHECK (total_slots >= 0),
        open_slots integer NOT NULL CHECK (open_slots >= 0),
        waitlist integer NOT NULL DEFAULT 0 CHECK (waitlist >= 0),
        sla_acknowledge_hours integer NOT NULL CHECK (sla_acknowledge_hours > 0),
        sla_decide_hours integer NOT NULL CHECK (sla_decide_hours > 0),
        auto_refer_on_protection_alert boolean NOT NULL DEFAULT false,
        last_verified_on date,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX directory_program_by_partner ON directory_program (partner_id, created_at, id)`);
    await q.query(`CREATE INDEX directory_program_by_pathway ON directory_program (pathway, created_at, id)`);
    await q.query(`CREATE INDEX directory_program_listing ON directory_program (created_at, id)`);

    await q.query(`
      CREATE TABLE directory_program_location (
        program_id uuid NOT NULL REFERENCES directory_program (id) ON DELETE CASCADE,
        location_id uuid NOT NULL REFERENCES directory_location (id) ON DELETE CASCADE,
        PRIMARY KEY (program_id, location_id)
      )`);
    await q.query(`CREATE INDEX directory_program_location_by_location ON directory_program_location (location_id)`);

    await q.query(`
      CREATE TABLE directory_agreement (
        id uuid PRIMARY KEY,
        partner_id text NOT NULL REFERENCES directory_partner (id),
        node char(2) NOT NULL CHECK (node ~ '^[A-Z]{2}$'),
        reference text NOT NULL,
        purposes text[] NOT NULL CHECK (cardinality(purposes) > 0 AND purposes <@ ARRAY[${sqlList(AGREEMENT_PURPOSES)}]::text[]),
        fields_by_purpose jsonb NOT NULL DEFAULT '{}',
        valid_from date NOT NULL,
        valid_until date,
        terminated_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CHECK (valid_until IS NULL OR valid_until >= valid_from)
      )`);
    await q.query(`CREATE INDEX directory_agreement_by_partner ON directory_agreement (partner_id, node, valid_from DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE directory_agreement`);
    await q.query(`DROP TABLE directory_program_location`);
    await q.query(`DROP TABLE directory_program`);
    await q.query(`DROP TABLE directory_location`);
    await q.query(`DROP TABLE directory_partner`);
  }
}
