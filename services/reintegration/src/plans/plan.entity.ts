import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PlanStatus } from './plan-state';

/** A reintegration plan's own row (members, programs, tasks and follow-ups are in their tables). */
@Entity({ name: 'plan' })
export class PlanEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @Column({ type: 'text' })
  origin: 'check_in' | 'caseworker';

  @Column({ type: 'text' })
  status: PlanStatus;

  @Column({ type: 'text', nullable: true })
  outcome: string | null;

  @Column({ name: 'referring_center_code', type: 'text', nullable: true })
  referringCenterCode: string | null;

  @Column({ name: 'referring_node', type: 'text' })
  referringNode: string;

  /** The center code or country the plan is followed in (callers' jurisdictions must cover it). */
  @Column({ type: 'text' })
  jurisdiction: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ type: 'integer' })
  version: number;
}
