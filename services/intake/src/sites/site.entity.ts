import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';

export type SiteKind = 'fixed' | 'mobile' | 'reception' | 'consulate';
export const SITE_KINDS: readonly SiteKind[] = ['fixed', 'mobile', 'reception', 'consulate'];

/** A registration point: a fixed or mobile Migration Resource Center, a reception centre or a consulate. */
@Entity({ name: 'site' })
export class Site {
  /** `GT-MRC-01`: country code, then segments; the country prefix is the jurisdiction that covers it. */
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'char', length: 2 })
  country: string;

  @Column({ type: 'text' })
  kind: SiteKind;

  /** Town or municipality (e.g. "Tecún Umán, San Marcos"), not an address. */
  @Column({ type: 'text', nullable: true })
  locality: string | null;

  /** Partner organization running the site (e.g. `IOM-GT`). */
  @Column({ name: 'operating_partner_id', type: 'text', nullable: true })
  operatingPartnerId: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ type: 'int' })
  version: number;
}
