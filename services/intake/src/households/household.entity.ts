import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import type { CareStatusValue, RelationshipValue } from '../common/enums';

/** The persons travelling together on one case, with their relationship to the principal applicant. */
@Entity({ name: 'household' })
export class Household {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ type: 'int' })
  version: number;
}

@Entity({ name: 'household_member' })
export class HouseholdMember {
  @PrimaryColumn({ name: 'household_id', type: 'uuid' })
  householdId: string;

  @PrimaryColumn({ name: 'person_id', type: 'uuid' })
  personId: string;

  /** Relationship to the household's principal applicant. */
  @Column({ type: 'text' })
  relationship: RelationshipValue;

  /** Derived on every change (see care-status.ts). */
  @Column({ name: 'care_status', type: 'text' })
  careStatus: CareStatusValue;

  /** Order of the members as given (the principal first). */
  @Column({ type: 'smallint' })
  position: number;

  @Column({ name: 'added_at', type: 'timestamptz' })
  addedAt: Date;
}
