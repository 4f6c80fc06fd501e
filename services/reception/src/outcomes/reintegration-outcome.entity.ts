import { Column, Entity, PrimaryColumn } from 'typeorm';

/** How a reintegration plan ended, as reintegration reports it (PlanOutcome without its prefix, lower case). */
export const PLAN_OUTCOMES = ['sustainably_reintegrated', 'partially_reintegrated', 'not_reintegrated', 'remigrated', 'withdrew', 'lost_contact', 'person_erased', 'consent_withdrawn'] as const;

/**
 * The outcome of a reintegration plan opened from one of this node's centers (PlanClosed): ids,
 * codes and scores only, so the center learns what became of the people it received without
 * holding anything about them.
 */
@Entity({ name: 'reintegration_outcome' })
export class ReintegrationOutcome {
  @PrimaryColumn({ type: 'uuid', name: 'plan_id' })
  planId: string;

  @Column({ type: 'uuid', name: 'case_id' })
  caseId: string;

  @Column({ type: 'text', name: 'center_code' })
  centerCode: string;

  /** `completed` or `dropped`. */
  @Column({ type: 'text' })
  status: string;

  @Column({ type: 'text' })
  outcome: string;

  /** The last follow-up's scores (0 to 1), null when the plan closed before any follow-up. */
  @Column({ type: 'double precision', nullable: true })
  economic: number | null;

  @Column({ type: 'double precision', nullable: true })
  social: number | null;

  @Column({ type: 'double precision', nullable: true })
  psychosocial: number | null;

  @Column({ type: 'double precision', nullable: true })
  composite: number | null;

  @Column({ type: 'timestamptz', name: 'closed_at' })
  closedAt: Date;

  @Column({ type: 'timestamptz', name: 'received_at' })
  receivedAt: Date;
}
