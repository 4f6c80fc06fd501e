import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import type { CaseStatusValue, PriorityValue } from '../common/enums';

/** One person's (or household's) journey at this node. */
@Entity({ name: 'intake_case' })
export class IntakeCase {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** `GT-2026-000123`: node, year, per-node-per-year sequence. */
  @Column({ type: 'text' })
  reference: string;

  @Column({ name: 'site_code', type: 'text' })
  siteCode: string;

  /** ISO 3166-1 alpha-2 of the node that holds custody. */
  @Column({ name: 'custody_node', type: 'char', length: 2 })
  custodyNode: string;

  @Column({ type: 'text' })
  status: CaseStatusValue;

  @Column({ type: 'text' })
  priority: PriorityValue;

  @Column({ name: 'principal_person_id', type: 'uuid' })
  principalPersonId: string;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt: Date;

  @Column({ name: 'opened_by', type: 'text' })
  openedBy: string;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'close_reason', type: 'text', nullable: true })
  closeReason: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ type: 'int' })
  version: number;
}

/** A person on a case (the principal and, for a household case, every member). */
@Entity({ name: 'case_person' })
export class CasePerson {
  @PrimaryColumn({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @PrimaryColumn({ name: 'person_id', type: 'uuid' })
  personId: string;

  @Column({ name: 'added_at', type: 'timestamptz' })
  addedAt: Date;
}
