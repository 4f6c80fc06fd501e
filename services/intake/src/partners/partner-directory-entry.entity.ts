import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';

/**
 * A partner organization intake may name in a consent (e.g. `MX-COMAR`, `UNHCR-MX`). The
 * partners themselves are owned by referral-routing; intake keeps this directory of the ids it
 * accepts so that a consent for an unknown partner is refused.
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

  @VersionColumn({ type: 'int' })
  version: number;
}
