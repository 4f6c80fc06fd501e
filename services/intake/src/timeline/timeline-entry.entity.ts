import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One event about a case, from any context's topic, stored by its CloudEvents attributes (so a
 * context that did not exist when this code was written still appears) and its Kafka key.
 */
@Entity({ name: 'timeline_entry' })
export class TimelineEntry {
  /** Order of arrival; breaks ties between events with the same time. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  /** `ce_id`. */
  @Column({ name: 'event_id', type: 'text' })
  eventId: string;

  /** `ce_type`, e.g. `puente.intake.v1.CaseOpened`. */
  @Column({ type: 'text' })
  type: string;

  /** `ce_source`, e.g. `/puente/gt/intake`. */
  @Column({ type: 'text' })
  source: string;

  /** `ce_time` (the Kafka timestamp when absent). */
  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'text' })
  topic: string;

  @Column({ name: 'actor_client_id', type: 'text', nullable: true })
  actorClientId: string | null;

  @Column({ name: 'actor_partner_id', type: 'text', nullable: true })
  actorPartnerId: string | null;

  @Column({ name: 'actor_node', type: 'text', nullable: true })
  actorNode: string | null;

  /** The payload as protobuf JSON when its type is in the contracts registry (events carry no personal data). */
  @Column({ type: 'jsonb', nullable: true })
  data: Record<string, unknown> | null;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;
}
