import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A case as screening knows it (from intake's CaseOpened and CaseClosed). */
@Entity({ name: 'case_record' })
export class CaseRecordEntity {
  @PrimaryColumn({ name: 'case_id', type: 'uuid' })
  caseId: string;

  /** e.g. GT-2026-000123 (identifies the case, not the person); null until intake's CaseOpened. */
  @Column({ type: 'text', nullable: true })
  reference: string | null;

  /** e.g. GT-MRC-01. */
  @Column({ name: 'site_code', type: 'text' })
  siteCode: string;

  @Column({ name: 'custody_node', type: 'text' })
  custodyNode: string;

  @Column({ name: 'opened_at', type: 'timestamptz', nullable: true })
  openedAt: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'close_reason', type: 'text', nullable: true })
  closeReason: string | null;

  /**
   * `intake` once intake's CaseOpened was consumed; `reception` while the case is known only from
   * a reception protection concern (site = the reception center, custody = this node).
   */
  @Column({ name: 'known_from', type: 'text' })
  knownFrom: 'intake' | 'reception';

  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true })
  erasedAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A screening consent (from intake's ConsentRecorded and ConsentWithdrawn, purpose SCREENING). */
@Entity({ name: 'case_consent' })
export class CaseConsentEntity {
  @PrimaryColumn({ name: 'consent_id', type: 'text' })
  consentId: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  /** Whose consent it is (intake's person id); null: recorded before consents named their person. */
  @Column({ name: 'person_id', type: 'uuid', nullable: true })
  personId: string | null;

  @Column({ name: 'valid_from', type: 'timestamptz', nullable: true })
  validFrom: Date | null;

  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true })
  validUntil: Date | null;

  @Column({ name: 'recorded_at', type: 'timestamptz', nullable: true })
  recordedAt: Date | null;

  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
