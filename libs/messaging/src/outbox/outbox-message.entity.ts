import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** The event itself, as written by OutboxWriter: shared by the outbox and its set-aside table. */
abstract class OutboxEventColumns {
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
}

/**
 * An event waiting to be published, written in the same transaction as the state change it
 * describes. `id` orders publication; the relay marks rows `publishedAt` once Kafka acked them.
 */
@Entity({ name: 'outbox_message' })
@Index('outbox_message_unpublished', ['id'], { where: 'published_at IS NULL' })
export class OutboxMessage extends OutboxEventColumns {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;
}

/** An outbox event Kafka refused for good (too large, malformed, invalid topic), set aside with the reason. */
@Entity({ name: 'outbox_message_failed' })
export class OutboxFailedMessage extends OutboxEventColumns {
  /** Its id in outbox_message. */
  @PrimaryColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'failed_at', type: 'timestamptz', default: () => 'now()' })
  failedAt: Date;

  /** Kafka's reason (error type and message; never the payload). */
  @Column({ name: 'last_error', type: 'text' })
  lastError: string;
}
