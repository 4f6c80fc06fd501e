import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An event waiting to be published, written in the same transaction as the state change it
 * describes. `id` orders publication; the relay marks rows `publishedAt` once Kafka acked them.
 */
@Entity({ name: 'outbox_message' })
@Index('outbox_message_unpublished', ['id'], { where: 'published_at IS NULL AND failed_at IS NULL' })
@Index('outbox_message_failed', ['id'], { where: 'failed_at IS NOT NULL' })
export class OutboxMessage {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'event_id', type: 'uuid', unique: true })
  eventId: string;

  @Column({ type: 'text' })
  topic: string;

  /** Kafka key: the case id, so one case's events stay ordered on one partition. */
  @Column({ name: 'message_key', type: 'text' })
  messageKey: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType: string;

  @Column({ type: 'bytea' })
  payload: Buffer;

  /** CloudEvents and trace headers, computed at write time so a replay sends the same bytes. */
  @Column({ type: 'jsonb' })
  headers: Record<string, string>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  /** Set when Kafka refused the event for good (too large, malformed); the relay skips it. */
  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt: Date | null;

  /** Kafka's reason for the refusal (error type and message; never the payload). */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;
}
