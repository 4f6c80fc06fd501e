import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Table of Idempotency-Key records (see IdempotencyRecordEntity). */
export class CreateIdempotencyRecord1795737600000 implements MigrationInterface {
  name = 'CreateIdempotencyRecord1795737600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_record (
        client_id text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 255),
        route_key text NOT NULL CHECK (length(route_key) BETWEEN 1 AND 1024),
        idempotency_key varchar(255) NOT NULL CHECK (length(idempotency_key) >= 1),
        request_hash char(64) NOT NULL,
        status text NOT NULL CHECK (status IN ('in_progress', 'completed')),
        lock_token uuid NULL,
        locked_until timestamptz NULL,
        response_status smallint NULL CHECK (response_status BETWEEN 100 AND 599),
        response_headers jsonb NULL,
        response_body jsonb NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (client_id, route_key, idempotency_key),
        CHECK (status <> 'in_progress' OR (lock_token IS NOT NULL AND locked_until IS NOT NULL)),
        CHECK (status <> 'completed' OR response_status IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX idempotency_record_expires_at ON idempotency_record (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_record`);
  }
}
