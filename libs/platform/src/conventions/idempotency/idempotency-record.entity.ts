import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type IdempotencyStatus = 'in_progress' | 'completed';

/**
 * One `Idempotency-Key` use: claimed while the first request runs (`in_progress`), then the
 * stored response (`completed`) that later requests with the same key and body replay.
 * Unique per (client, route, key). Written with raw SQL by IdempotencyStore; the entity exists
 * so services can list it with their own entities and query it in tests or tools.
 */
@Entity({ name: 'idempotency_record' })
@Index('idempotency_record_expires_at', ['expiresAt'])
export class IdempotencyRecordEntity {
  /** OAuth2 client id of the caller (keys are scoped per client). */
  @PrimaryColumn({ name: 'client_id', type: 'text' })
  clientId: string;

  /** Method and route pattern, e.g. `POST /v1/cases/:caseId/referrals`. */
  @PrimaryColumn({ name: 'route_key', type: 'text' })
  routeKey: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 255 })
  idempotencyKey: string;

  /** SHA-256 (hex) of the canonical JSON of the request (body, path parameters, query). */
  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'text' })
  status: IdempotencyStatus;

  /** Owner of an in-progress claim; only it may complete or release the record. */
  @Column({ name: 'lock_token', type: 'uuid', nullable: true })
  lockToken: string | null;

  /** An in-progress claim older than this is considered abandoned (crashed instance) and can be taken over. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'response_status', type: 'smallint', nullable: true })
  responseStatus: number | null;

  /** Replayed headers only: Location, ETag, Content-Type. */
  @Column({ name: 'response_headers', type: 'jsonb', nullable: true })
  responseHeaders: Record<string, string> | null;

  @Column({ name: 'response_body', type: 'jsonb', nullable: true })
  responseBody: unknown;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
