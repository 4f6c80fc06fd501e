import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A partner organization intake may name in a consent (e.g. `MX-COMAR`, `UNHCR-MX`). The
 * partners themselves are owned by referral-routing's directory; intake follows its PartnerChanged
 * events (PartnerDirectoryFollower) so that a consent for an unknown or inactive partner is refused.
 */
@Entity({ name: 'partner_directory_entry' })
export class PartnerDirectoryEntry {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'char', length: 2 })
  country: string;

  @Column({ name: 'partner_type', type: 'text' })
  partnerType: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** The directory's version of the partner: an event with an older one is ignored. */
  @Column({ type: 'int' })
  version: number;
}
