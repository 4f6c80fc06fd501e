import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';

// Match keys (person_match_key, partner_match_key) have no entities: DuplicateDetector and the
// partner match-key consumer read and write them with set-based SQL only.

export type DuplicateStatus = 'open' | 'linked' | 'dismissed';

/** A registration that may be the same person as another record, here or at a partner node. */
@Entity({ name: 'possible_duplicate' })
export class PossibleDuplicate {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @Column({ name: 'other_node', type: 'char', length: 2 })
  otherNode: string;

  /** A local person id (other_node = this node) or the partner node's opaque reference. */
  @Column({ name: 'other_reference', type: 'text' })
  otherReference: string;

  @Column({ type: 'text', array: true })
  rules: string[];

  @Column({ type: 'double precision' })
  score: number;

  @Column({ type: 'text' })
  status: DuplicateStatus;

  @Column({ name: 'found_at', type: 'timestamptz' })
  foundAt: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'resolved_by', type: 'text', nullable: true })
  resolvedBy: string | null;

  @VersionColumn({ type: 'int' })
  version: number;
}
