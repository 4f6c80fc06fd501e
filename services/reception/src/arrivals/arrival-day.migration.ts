import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The arrival day: services given (who, when), the coded interview, protection concerns raised,
 * child-protection hand-overs, and when a person left the center. Ids, codes and staff
 * identifiers only; what a person said stays out of these tables (interview answers are codes).
 */
export class CreateArrivalDay1797000000002 implements MigrationInterface {
  name = 'CreateArrivalDay1797000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE arrival ADD COLUMN departed_at timestamptz NULL, ADD COLUMN departed_by text NULL`);
    await q.query(`
      CREATE TABLE service_delivery (
        id uuid PRIMARY KEY,
        arrival_id uuid NOT NULL REFERENCES arrival (id),
        service text NOT NULL,
        delivered_at timestamptz NOT NULL,
        delivered_by text NOT NULL
      )`);
    await q.query(`CREATE INDEX service_delivery_arrival ON service_delivery (arrival_id)`);
    await q.query(`
      CREATE TABLE interview (
        arrival_id uuid PRIMARY KEY REFERENCES arrival (id),
        answers jsonb NOT NULL,
        interviewed_at timestamptz NOT NULL,
        interviewed_by text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE protection_concern (
        id uuid PRIMARY KEY,
        arrival_id uuid NOT NULL REFERENCES arrival (id),
        concerns text[] NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        raised_at timestamptz NOT NULL,
        raised_by text NOT NULL
      )`);
    await q.query(`CREATE INDEX protection_concern_arrival ON protection_concern (arrival_id)`);
    await q.query(`
      CREATE TABLE child_handover (
        id uuid PRIMARY KEY,
        arrival_id uuid NOT NULL UNIQUE REFERENCES arrival (id),
        authority_partner_id text NOT NULL,
        receiving_officer text NOT NULL,
        placement text NOT NULL CHECK (placement IN ('verified_guardian', 'authority_placement')),
        verification_reference text NOT NULL,
        handed_over_at timestamptz NOT NULL,
        recorded_by text NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE child_handover`);
    await q.query(`DROP TABLE protection_concern`);
    await q.query(`DROP TABLE interview`);
    await q.query(`DROP TABLE service_delivery`);
    await q.query(`ALTER TABLE arrival DROP COLUMN departed_at, DROP COLUMN departed_by`);
  }
}
