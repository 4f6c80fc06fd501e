import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import type { ConsentMethodValue, ConsentPurposeValue } from '../common/enums';

/** A person's purpose-bound consent on a case: how it was given, its validity, its withdrawal. */
@Entity({ name: 'consent' })
export class Consent {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId: string;

  @Column({ type: 'text' })
  purpose: ConsentPurposeValue;

  @Column({ name: 'partner_id', type: 'text', nullable: true })
  partnerId: string | null;

  @Column({ name: 'partner_type', type: 'text', nullable: true })
  partnerType: string | null;

  @Column({ name: 'destination_country', type: 'char', length: 2, nullable: true })
  destinationCountry: string | null;

  @Column({ type: 'text' })
  method: ConsentMethodValue;

  /** Staff identifier of the witness of a verbal consent (never the migrant's data). */
  @Column({ name: 'witnessed_by', type: 'text', nullable: true })
  witnessedBy: string | null;

  @Column({ name: 'guardian_person_id', type: 'uuid', nullable: true })
  guardianPersonId: string | null;

  /** Reference of an appointed guardian outside the household (e.g. a child-protection file number). */
  @Column({ name: 'guardian_reference', type: 'text', nullable: true })
  guardianReference: string | null;

  @Column({ name: 'valid_from', type: 'timestamptz' })
  validFrom: Date;

  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true })
  validUntil: Date | null;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;

  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy: string;

  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  withdrawnAt: Date | null;

  @Column({ name: 'withdrawn_by', type: 'text', nullable: true })
  withdrawnBy: string | null;

  /** Recorded from a custody transfer's package: the node it was given at (null when given here). */
  @Column({ name: 'origin_node', type: 'char', length: 2, nullable: true })
  originNode?: string | null;

  /** The consent's id at that node. */
  @Column({ name: 'origin_consent_id', type: 'uuid', nullable: true })
  originConsentId?: string | null;

  @VersionColumn({ type: 'int' })
  version: number;
}
