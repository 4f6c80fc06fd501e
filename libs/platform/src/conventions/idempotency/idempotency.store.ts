import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryPrepared } from '../../database/prepared';
import type { IdempotencyStatus } from './idempotency-record.entity';

/** Identifies one key: keys are scoped per client and per route (method + route pattern). */
export interface IdempotencyScope {
  clientId: string;
  routeKey: string;
  key: string;
}

/** A stored response: status, replayed headers (lower-case names) and body (`undefined` = none). */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The record found for a key that this request could not claim. */
export interface ExistingIdempotencyRecord {
  requestHash: string;
  status: IdempotencyStatus;
  /** Present when `status` is `completed`. */
  response?: StoredResponse;
  /** Seconds until an in-progress claim would be considered abandoned (at least 1). */
  lockExpiresInSeconds: number;
}

export type IdempotencyClaim =
  | { claimed: true; token: string }
  | { claimed: false; record: ExistingIdempotencyRecord }
  /** The record disappeared between the claim attempt and the read (released or pruned): try again. */
  | { claimed: false; record: undefined };

export interface ClaimOptions {
  /** How long the record (and its stored response) is kept. */
  ttlMs: number;
  /** How long an in-progress claim is honoured before another request may take it over. */
  lockTimeoutMs: number;
}

const UNDEFINED_TABLE = '42P01';

function missingTableError(error: unknown): Error | undefined {
  const code = (error as { driverError?: { code?: string }; code?: string })?.driverError?.code ?? (error as { code?: string })?.code;
  if (code !== UNDEFINED_TABLE) return undefined;
  return new Error(
    'The idempotency_record table does not exist: add platformEntities and platformMigrations to PlatformModule.forRoot({ entities, migrations }).',
  );
}

/**
 * PostgreSQL storage of Idempotency-Key records (table `idempotency_record`).
 *
 * A key is claimed by one atomic `INSERT ... ON CONFLICT DO UPDATE ... WHERE` statement (its own
 * short transaction): it inserts a fresh in-progress record, or takes over an expired record or
 * an abandoned in-progress claim, and otherwise changes nothing. Exactly one of any number of
 * concurrent claimers gets the row back; the others read the record and wait or replay.
 */
@Injectable()
export class IdempotencyStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every idempotent request runs these statements: prepared once per pooled connection. */
  private async run(sql: string, parameters: unknown[]): Promise<Record<string, unknown>[]> {
    try {
      return await queryPrepared(this.dataSource.manager, sql, parameters);
    } catch (error) {
      throw missingTableError(error) ?? error;
    }
  }

  /**
   * Claims the key for this request, or reports the existing record.
   *
   * The claim commits without waiting for its WAL to reach disk (synchronous_commit off for this
   * one statement): one fsync less on every idempotent request, and measured as one of the waits
   * of a registration. Nothing is lost by it: whatever the request then commits durably flushes
   * the WAL up to its own commit, which includes the claim committed before it; if the server
   * crashes before that, the request left nothing durable and a retry simply claims again.
   */
  async claim(scope: IdempotencyScope, requestHash: string, options: ClaimOptions): Promise<IdempotencyClaim> {
    const token = randomUUID();
    const rows = await this.run(
      `INSERT INTO idempotency_record AS r
         (client_id, route_key, idempotency_key, request_hash, status, lock_token, locked_until, created_at, expires_at)
       SELECT $1::text, $2::text, $3::varchar, $4::char(64), 'in_progress', $5::uuid,
              now() + $6::float8 * interval '1 millisecond', now(), now() + $7::float8 * interval '1 millisecond'
         FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async_commit
       ON CONFLICT (client_id, route_key, idempotency_key) DO UPDATE SET
         request_hash = EXCLUDED.request_hash,
         status = 'in_progress',
         lock_token = EXCLUDED.lock_token,
         locked_until = EXCLUDED.locked_until,
         response_status = NULL,
         response_headers = NULL,
         response_body = NULL,
         created_at = now(),
         completed_at = NULL,
         expires_at = EXCLUDED.expires_at
       WHERE r.expires_at <= now()
          OR (r.status = 'in_progress' AND r.locked_until <= now() AND r.request_hash = EXCLUDED.request_hash)
       RETURNING r.lock_token`,
      [scope.clientId, scope.routeKey, scope.key, requestHash, token, options.lockTimeoutMs, options.ttlMs],
    );
    if (rows.length === 1 && rows[0].lock_token === token) return { claimed: true, token };
    return { claimed: false, record: await this.find(scope) };
  }

  /** The live (unexpired) record of a key. */
  async find(scope: IdempotencyScope): Promise<ExistingIdempotencyRecord | undefined> {
    const rows = await this.run(
      `SELECT request_hash, status, response_status, response_headers, response_body::text AS body_text,
              GREATEST(1, CEIL(EXTRACT(EPOCH FROM (locked_until - now()))))::int AS lock_seconds
         FROM idempotency_record
        WHERE client_id = $1 AND route_key = $2 AND idempotency_key = $3 AND expires_at > now()`,
      [scope.clientId, scope.routeKey, scope.key],
    );
    if (rows.length === 0) return undefined;
    const row = rows[0];
    const status = row.status as IdempotencyStatus;
    return {
      requestHash: String(row.request_hash),
      status,
      lockExpiresInSeconds: typeof row.lock_seconds === 'number' ? row.lock_seconds : 1,
      response:
        status === 'completed'
          ? {
              status: Number(row.response_status),
              headers: (row.response_headers as Record<string, string> | null) ?? {},
              body: row.body_text === null ? undefined : JSON.parse(String(row.body_text)),
            }
          : undefined,
    };
  }

  /**
   * Stores the response of a claimed key. Returns the body as stored (jsonb), so the first
   * response and every replay are byte-identical; `undefined` body when the claim was lost
   * (taken over after the lock timeout), in which case nothing is stored.
   */
  async complete(
    scope: IdempotencyScope,
    token: string,
    response: StoredResponse,
  ): Promise<{ stored: boolean; body: unknown }> {
    const bodyText = response.body === undefined ? null : JSON.stringify(response.body);
    const rows = await this.run(
      `UPDATE idempotency_record
          SET status = 'completed', lock_token = NULL, locked_until = NULL, completed_at = now(),
              response_status = $5, response_headers = $6::jsonb, response_body = $7::jsonb
        WHERE client_id = $1 AND route_key = $2 AND idempotency_key = $3
          AND lock_token = $4 AND status = 'in_progress'
        RETURNING response_body::text AS body_text`,
      [scope.clientId, scope.routeKey, scope.key, token, response.status, JSON.stringify(response.headers), bodyText],
    );
    if (rows.length === 0) return { stored: false, body: response.body };
    const text = rows[0].body_text;
    return { stored: true, body: text === null ? undefined : JSON.parse(String(text)) };
  }

  /** Deletes a claim (after a 5xx or an unexpected error) so a retry can run the request. */
  async release(scope: IdempotencyScope, token: string): Promise<boolean> {
    const rows = await this.run(
      `DELETE FROM idempotency_record
        WHERE client_id = $1 AND route_key = $2 AND idempotency_key = $3 AND lock_token = $4 AND status = 'in_progress'
        RETURNING 1 AS released`,
      [scope.clientId, scope.routeKey, scope.key, token],
    );
    return rows.length === 1;
  }

  /** Deletes expired records in batches; returns how many were deleted. */
  async pruneExpired(batchSize = 1000): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.run(
        `DELETE FROM idempotency_record
          WHERE ctid IN (SELECT ctid FROM idempotency_record WHERE expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING 1 AS pruned`,
        [batchSize],
      );
      total += rows.length;
      if (rows.length < batchSize) return total;
    }
  }

  /** True when the service's database has the idempotency_record table (platformMigrations ran). */
  async tableExists(): Promise<boolean> {
    const rows = await this.run(`SELECT to_regclass('idempotency_record') IS NOT NULL AS present`, []);
    return rows[0]?.present === true;
  }
}
